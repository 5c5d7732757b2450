#!/usr/bin/env bash
# core.echo: the shell runner defines PARAM_MESSAGE (not exported) from the input document.
printf '%s\n' "$PARAM_MESSAGE"
