// Placeholder until the grammar lands: the parser issue replaces this with nearleyc compilation.
