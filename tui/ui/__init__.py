"""What is drawn: screens, dialogs, widgets."""
