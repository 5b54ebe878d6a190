"""One module per kind of listener, each with a `register(app, ...)`."""
