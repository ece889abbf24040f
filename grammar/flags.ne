@lexer lexer
# Builder flags: leading `--name[=value]` words; a bare `--` ends them and is dropped.
# Tokens carry the blanks before them, so there are no whitespace tokens here.
flags -> %flag:* %dashdash:?  {% ([fs]) => fs as Token[] %}
