#!/bin/sh
# Regenerate the message template from the sources, merge it into the ru and uk catalogs and
# compile them (needs GNU gettext: xgettext, msgmerge, msgfmt). Translate what msgmerge marks
# new or "fuzzy" in the .po files, run this again, and commit the .pot, .po and .mo files.
set -eu
cd "$(dirname "$0")/src/okno_redbutton"
xgettext --language=Python --keyword=_ --keyword=ngettext:1,2 --from-code=UTF-8 \
    --package-name=okno-redbutton --msgid-bugs-address=none --no-wrap \
    --add-location=file --sort-by-file -o locale/okno_redbutton.pot ./*.py
for lang in ru uk; do
    po="locale/$lang/LC_MESSAGES/okno_redbutton.po"
    msgmerge --quiet --no-wrap --add-location=file --update --backup=none "$po" locale/okno_redbutton.pot
    msgfmt --check --statistics -o "locale/$lang/LC_MESSAGES/okno_redbutton.mo" "$po"
done
