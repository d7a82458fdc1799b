"""The Python reader: ``StepSpecification`` / ``ScriptContract`` / ``StepBuilderBase`` code and scripts.

In: ``SourceFile`` text. Flow: ``parse_guard`` (bounded parsing) -> LibCST -> ``positions``
(one code-generation pass) -> ``extract`` / ``builder_facts`` (facts, via the static
evaluator in ``evaluate``) -> ``project.ProjectModel`` (names resolved across modules,
specs linked to contracts, builders and scripts). Out: ``facts.ModuleFacts`` per file and
the ``ProjectModel``; ``edits`` turns LibCST node changes into text edits for fixes.
"""
