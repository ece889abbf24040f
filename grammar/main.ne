# One Dockerfile instruction line: keyword, flags, arguments. The line pass in
# src/dockerfile has already joined continuation lines and removed heredoc bodies.
# The lexer (lexer.ts) switches state on the keyword, so each family of
# instructions sees its own argument tokens; this grammar is unambiguous.
@preprocessor typescript
@{%
import { lexer } from './lexer.js';
import * as syn from './syntax.js';
import type { Token } from './syntax.js';
%}
@lexer lexer
@include "flags.ne"
@include "args.ne"

instruction ->
    shellKw flags shellArgs     {% ([k, f, a]) => syn.instruction(k, f, a) %}
  | listKw flags listArgs       {% ([k, f, a]) => syn.instruction(k, f, a) %}
  | wordsKw flags wordsArgs     {% ([k, f, a]) => syn.instruction(k, f, a) %}
  | kvKw flags kvArgs           {% ([k, f, a]) => syn.instruction(k, f, a) %}
  | textKw flags textArgs       {% ([k, f, a]) => syn.instruction(k, f, a) %}
  | %kw_healthcheck flags healthArgs
                                {% ([k, f, a]) => syn.instruction(k, f, a ? a[1] : null, a ? a[0] : undefined) %}

shellKw -> %kw_run {% id %} | %kw_cmd {% id %} | %kw_entrypoint {% id %} | %kw_shell {% id %}
listKw -> %kw_add {% id %} | %kw_copy {% id %} | %kw_volume {% id %}
wordsKw -> %kw_from {% id %} | %kw_expose {% id %}
kvKw -> %kw_env {% id %} | %kw_label {% id %} | %kw_arg {% id %}
textKw -> %kw_maintainer {% id %} | %kw_user {% id %} | %kw_workdir {% id %} | %kw_stopsignal {% id %}
  | %kw_onbuild {% id %} | %kw_unknown {% id %}
