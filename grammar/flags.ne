@lexer lexer
# Builder flags: leading `--name[=value]` words; a bare `--` ends them and is dropped.
flags -> (%ws %flag {% ([, f]) => f as Token %}):* (%ws %dashdash):?  {% ([fs]) => fs as Token[] %}
