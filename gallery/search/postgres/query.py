"""What people typed, as a PostgreSQL tsquery on the stored vectors."""

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from ..terms import Term
from .schema import COLUMN, CONFIG, TITLE_COLUMN

# A word in no image, so in no statistics: PostgreSQL's estimate for it is the
# guess it makes for every word it has no statistics on.
UNKNOWN = [Term(("imagerepo0unheard0of",))]


def _lexeme(word, prefix):
    return f"'{word}'" + (":*" if prefix else "")


def _term(term):
    *whole, last = term.words
    lexemes = [_lexeme(w, False) for w in whole] + [_lexeme(last, term.prefix)]
    return "(" + " <-> ".join(lexemes) + ")"


def tsquery(terms):
    """A ``to_tsquery`` string built from plain words (letters and digits
    only, see gallery.search.terms), so nothing typed is parsed as syntax."""
    return " & ".join(_term(t) for t in terms)


def _matches(column):
    # Image querysets always call their table "gallery_image".
    return f'"gallery_image"."{column}" @@ to_tsquery(%s::regconfig, %s)'


SCOPES = {
    "all": _matches(COLUMN),
    "title": _matches(TITLE_COLUMN),
    "elsewhere": f"{_matches(COLUMN)} AND NOT {_matches(TITLE_COLUMN)}",
}


def condition(terms, scope):
    """Whether an image matches ``terms`` within ``scope``: "all" (title and
    description), "title" (every term in the title) or "elsewhere" (the
    rest), as a boolean expression for ``filter()`` or ``values()``."""
    sql = SCOPES[scope]
    params = [CONFIG, tsquery(terms)] * sql.count("to_tsquery")
    return RawSQL(sql, params, output_field=BooleanField())


def matching(queryset, terms, scope):
    """``queryset`` narrowed to images matching ``terms``, newest first.
    Pages and counts go through gallery.search.postgres.pages instead: with
    a LIMIT, PostgreSQL's own plan for this can read the whole table."""
    return queryset.filter(condition(terms, scope)).order_by("-created_at", "-pk")
