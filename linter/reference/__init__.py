"""Reference spec-driven step builders (SageMaker Python SDK 2.x) that steplint's fixes follow."""
