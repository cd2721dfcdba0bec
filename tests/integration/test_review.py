"""The review state machine: every allowed and refused transition, with its log."""

import pytest

from surveys.models import Submission
from tests import factories
from validation import review
from validation.models import ReviewEvent

pytestmark = pytest.mark.django_db
S = Submission.ReviewStatus
ALL = list(S.values)


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", ALL)
def test_each_transition_is_allowed_or_refused_as_declared(source: str, target: str) -> None:
    submission = factories.SubmissionFactory.create(review_status=source)
    actor = factories.supervisor_of(submission)
    if target in review.ALLOWED[source]:
        event = review.transition(submission=submission, to=target, actor=actor, comment="ok")
        assert Submission.objects.get(pk=submission.pk).review_status == target
        assert (event.from_status, event.to_status, event.actor) == (source, target, actor)
    else:
        with pytest.raises(review.IllegalTransitionError, match="cannot be"):
            review.transition(submission=submission, to=target, actor=actor)
        assert Submission.objects.get(pk=submission.pk).review_status == source
        assert not ReviewEvent.objects.exists()


def test_exclusion_needs_a_reason_and_other_needs_a_comment() -> None:
    submission = factories.SubmissionFactory.create(review_status=S.FLAGGED)
    actor = factories.supervisor_of(submission)
    with pytest.raises(review.DecisionInputError, match="needs a reason"):
        review.exclude(submission=submission, actor=actor, reason="")
    with pytest.raises(review.DecisionInputError, match="comment"):
        review.exclude(submission=submission, actor=actor, reason="other", comment=" ")
    assert Submission.objects.get(pk=submission.pk).review_status == S.FLAGGED
    review.exclude(submission=submission, actor=actor, reason="duplicate")
    event = ReviewEvent.objects.get()
    assert (event.to_status, event.reason) == (S.EXCLUDED, "duplicate")


def test_returning_needs_a_comment_and_questions() -> None:
    submission = factories.SubmissionFactory.create(review_status=S.FLAGGED)
    actor = factories.supervisor_of(submission)
    with pytest.raises(review.DecisionInputError, match="comment"):
        review.return_to_enumerator(
            submission=submission, actor=actor, comment="", questions=["employment/sector"]
        )
    with pytest.raises(review.DecisionInputError, match="question"):
        review.return_to_enumerator(
            submission=submission, actor=actor, comment="Re-ask", questions=[]
        )
    review.return_to_enumerator(
        submission=submission,
        actor=actor,
        comment="Sector was answered but she is not working",
        questions=["employment/sector"],
    )
    event = ReviewEvent.objects.get()
    assert event.questions == ["employment/sector"]
    assert Submission.objects.get(pk=submission.pk).review_status == S.RETURNED


def test_a_decision_clears_changed_since_review() -> None:
    submission = factories.SubmissionFactory.create(
        review_status=S.FLAGGED, changed_since_review=True
    )
    review.approve(submission=submission, actor=factories.supervisor_of(submission))
    assert not Submission.objects.get(pk=submission.pk).changed_since_review
