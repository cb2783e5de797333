"""The API's JSON parser: DRF's, but a body nested too deeply to parse (a RecursionError in the
json module, e.g. 50,000 nested arrays) is a 400 like any other malformed JSON, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "JSON parse error - the body is nested too deeply."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
