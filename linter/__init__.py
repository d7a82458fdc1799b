"""steplint: static analysis with autofixes for specification-driven SageMaker pipeline code."""

__version__ = "0.1.0"
