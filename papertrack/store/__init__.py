"""What papertrack keeps on disk: the JSON listing cache (the record) and, later, state."""
