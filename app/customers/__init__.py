"""Customers and their payment methods: rules, storage and the service both transports call."""
