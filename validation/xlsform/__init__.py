"""XLSForm skip-logic engine: compile a form version once, check submissions as ODK would.

Pure Python (no Django). Entry points: compile_asset_content (KoBo asset content),
compile_xlsx / load_form_file (files), CompiledForm.check and CompiledForm.evaluate.
"""

from validation.xlsform.errors import (
    CannotCheckError,
    EvaluationError,
    ExpressionSyntaxError,
    XLSFormError,
)
from validation.xlsform.form import (
    CompiledForm,
    compile_asset_content,
    compile_xlsx,
    load_form_file,
)
from validation.xlsform.model import Finding, FormError, Question

__all__ = [
    "CannotCheckError",
    "CompiledForm",
    "EvaluationError",
    "ExpressionSyntaxError",
    "Finding",
    "FormError",
    "Question",
    "XLSFormError",
    "compile_asset_content",
    "compile_xlsx",
    "load_form_file",
]
