"""Choice sets shared by several surveys models."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
