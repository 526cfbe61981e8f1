def load_conferences() -> None:
    """Placeholder until the cluster conference lands."""
