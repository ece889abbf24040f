@lexer lexer
# Argument syntaxes. JSON-vs-shell form is decided by the lexer: a complete JSON
# array of strings is one jsonStrings token; other bracketed text is jsonOther.

# RUN, CMD, ENTRYPOINT, SHELL (and HEALTHCHECK's command): JSON or one string.
shellArgs -> null {% () => null %}
  | %jsonStrings {% ([t]) => syn.jsonArgs(t) %}
  | %jsonOther {% ([t]) => syn.jsonOther(t, 'text') %}
  | %text {% ([t]) => syn.text(t) %}

# ADD, COPY, VOLUME: JSON or a whitespace-separated list.
listArgs -> null {% () => null %}
  | %jsonStrings {% ([t]) => syn.jsonArgs(t) %}
  | %jsonOther {% ([t]) => syn.jsonOther(t, 'words') %}
  | %word:+ {% ([ws]) => syn.words(ws, null) %}

# FROM, EXPOSE: a whitespace-separated list, never JSON.
wordsArgs -> %word:* {% ([ws]) => syn.words(ws, null) %}

# ENV, LABEL, ARG: quote-aware words, kept raw.
kvArgs -> %kvword:* %stray:? {% ([ws, s]) => syn.words(ws, s) %}

# MAINTAINER, USER, WORKDIR, STOPSIGNAL, ONBUILD, unknown: the rest verbatim.
textArgs -> null {% () => null %}
  | %text {% ([t]) => syn.text(t) %}

# HEALTHCHECK: a type word (CMD, NONE, ...) then a command like CMD's.
healthArgs -> null {% () => null %}
  | %healthType shellArgs {% ([t, a]) => [t, a] %}
