"""Infrastructure every room plugs into: configuration, database and migrations, audit log,
people and roles, cases with durable deadlines, notifications, documents."""
