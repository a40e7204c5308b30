"""What both transports share about an HTTP request: the raw target, body limits, authentication."""
