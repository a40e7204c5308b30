"""What any text a client sends must satisfy, whatever the field: no NUL or lone surrogate
(`client_text`) and no full card number (`card_numbers`). Below the transports and the field rules,
which both use it."""
