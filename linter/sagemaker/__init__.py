"""SageMaker facts: the platform's container paths, estimator and processor classes,
property-path shapes, framework versions and service limits.

In: nothing from steplint (reads installed data files: botocore's service model, the
SageMaker SDK's image configurations, never importing either). Out: constants and lookup
functions the rules use.
"""
