"""Services: the only code that creates, changes or deletes images."""
