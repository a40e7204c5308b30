"""The command line: argument parsing, the data commands, seeding and the merchant-key upgrade."""
