"""`manage.py` commands of the validation app: validate, check_form_data and more."""
