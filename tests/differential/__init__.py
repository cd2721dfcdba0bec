"""Differential test of validation.xlsform against Enketo's openrosa-xpath-evaluator."""
