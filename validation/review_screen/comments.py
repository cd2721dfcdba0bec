"""Per-question comments on the review screen: added, never edited or deleted."""

from django.contrib.auth.models import AbstractBaseUser

from mtm.errors import DomainError
from surveys.models import Submission
from validation.models import QuestionComment

MAX_COMMENT = 2000


class CommentInputError(DomainError):
    code = "comment_input"


def add_question_comment(
    *, submission: Submission, author: AbstractBaseUser, path: str, text: str
) -> QuestionComment:
    """Keep a supervisor's note on one answer; the log is append-only like ReviewEvent."""
    text, path = text.strip(), path.strip()
    if not text:
        raise CommentInputError("Write the comment before saving it.")
    if len(text) > MAX_COMMENT:
        raise CommentInputError(f"A comment is at most {MAX_COMMENT} characters.")
    if not path or len(path) > 255:
        raise CommentInputError("Say which question the comment is about.")
    return QuestionComment.objects.create(
        submission=submission, author_id=author.pk, path=path, text=text
    )
