# Dates as the site writes them everywhere, pages and admin alike: the day,
# the month by name, the year ("4 December 2026"), which no reader takes for
# another date, and a 24-hour time. Only the written forms: what forms
# accept (the *_INPUT_FORMATS) stays Django's.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
YEAR_MONTH_FORMAT = "F Y"
