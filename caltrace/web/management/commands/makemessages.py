"""makemessages without fuzzy guesses.

msgmerge's fuzzy matching pairs a new Chinese msgid with a similar old one and copies its English
translation as a "fuzzy" guess, which gettext then ignores at run time. A new string should show
up as plainly untranslated instead, so that the completeness test names it.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
