"""SageMaker facts: the platform's container paths, estimator and processor classes,
property-path shapes, framework versions and service limits, and the SDK release a
project pins.

In: nothing from steplint (reads the data files shipped in this package, generated from
botocore's service model and the SageMaker SDK's image configurations by
``scripts/update_sagemaker_data.py``; neither package is needed or imported; ``pins`` reads
a project's requirements files and ``pyproject.toml`` as text). Out: constants and lookup
functions the rules use.
"""
