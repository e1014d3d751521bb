"""A local Hub-like server and repository builders for tests that drive the real huggingface_hub."""
