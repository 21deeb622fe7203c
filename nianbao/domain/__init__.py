"""The data every stage shares: the frozen model, the national templates (forms.yaml), the one located diagnostic."""
