from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessConfig(AppConfig):
    name = "anninh.business"
    label = "business"
    verbose_name = _("Police-business dialogues")

    def ready(self) -> None:
        # "Dialogue recommendations resolved on time" beside the requests' service indicators
        # (issue #10 item 5), on the indicators page and in the weekly CompStat report.
        from anninh.business.selectors import recommendations_on_time
        from anninh.requests.indicators import register_source

        register_source("dialogue", _("Dialogue recommendations resolved on time"), recommendations_on_time)
