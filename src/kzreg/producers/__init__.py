"""Industrial policy room (Law 86-VII): the register of Kazakhstani commodity producers
(Arts 51-1..51-7) and state incentives and industrial contracts (Arts 25-49)."""
