"""Choice lists of the records system, with translated labels (NetBox style)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OffenceGroup(models.TextChoices):
    PERSONS = "persons", _("Crimes against persons")
    PROPERTY = "property", _("Property crime")
    FRAUD = "fraud", _("Fraud and abuse of trust")
    ECONOMIC = "economic", _("Economic crime")
    CORRUPTION = "corruption", _("Corruption")
    DRUGS = "drugs", _("Drug crime")
    CYBER = "cyber", _("Cyber and high-tech crime")
    TRAFFIC = "traffic", _("Traffic offences")
    PUBLIC_ORDER = "public_order", _("Public order")
    SOCIAL_VICES = "social_vices", _("Gambling and prostitution")
    WEAPONS = "weapons", _("Weapons and explosives")
    PUBLIC_SAFETY = "public_safety", _("Public safety")


class ReportKind(models.TextChoices):
    DENUNCIATION = "to_giac", _("Denunciation (tố giác)")
    NOTIFICATION = "tin_bao", _("Crime information (tin báo)")
    PETITION = "kien_nghi", _("Petition to prosecute (kiến nghị khởi tố)")


class ReportChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE_113 = "phone_113", _("113 phone line")
    WRITTEN = "written", _("In writing")
    ONLINE = "online", pgettext_lazy("report channel", "Online")
    MEDIA = "media", _("Press and media")
    TRANSFERRED = "transferred", _("Transferred from another unit")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("report status", "Received")
    CLASSIFIED = "classified", _("Classified")
    TRANSFERRED = "transferred", _("Transferred, awaiting acceptance")
    VERIFYING = "verifying", _("Checking and verifying")
    INITIATED = "initiated", _("Case initiated")
    NOT_INITIATED = "not_initiated", _("Not initiated")
    SUSPENDED = "suspended", _("Suspended")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class IncidentKind(models.TextChoices):
    CRIME = "crime", _("Crime")
    ADMINISTRATIVE = "administrative", _("Administrative violation")
    FIRE = "fire", _("Fire")
    EXPLOSION = "explosion", _("Explosion")
    RESCUE_DROWNING = "rescue_drowning", _("Rescue: drowning")
    RESCUE_COLLAPSE = "rescue_collapse", _("Rescue: collapse of a house, work or tree")
    RESCUE_ACCIDENT = "rescue_accident", _("Rescue: vehicle or equipment accident")
    RESCUE_LANDSLIDE = "rescue_landslide", _("Rescue: landslide")
    RESCUE_TRANSPORT = "rescue_transport", _("Rescue: road, rail or waterway accident")
    RESCUE_SEARCH = "rescue_search", _("Rescue: search for victims")
    TRAFFIC = "traffic", _("Traffic accident")
    PUBLIC_ORDER = "public_order", _("Public order")


FIRE_RESCUE_KINDS = frozenset(
    {
        IncidentKind.FIRE,
        IncidentKind.EXPLOSION,
        IncidentKind.RESCUE_DROWNING,
        IncidentKind.RESCUE_COLLAPSE,
        IncidentKind.RESCUE_ACCIDENT,
        IncidentKind.RESCUE_LANDSLIDE,
        IncidentKind.RESCUE_TRANSPORT,
        IncidentKind.RESCUE_SEARCH,
    }
)


class PremisesType(models.TextChoices):
    HOME = "home", pgettext_lazy("premises", "Home")
    APARTMENT = "apartment", _("Apartment building")
    STREET = "street", _("Street or road")
    MARKET = "market", _("Market")
    SHOP = "shop", _("Shop or business")
    OFFICE = "office", _("Office")
    FACTORY = "factory", _("Factory or industrial park")
    PORT = "port", _("Port or wharf")
    WATERWAY = "waterway", _("River or sea")
    SCHOOL = "school", _("School")
    BANK = "bank", _("Bank or ATM")
    ENTERTAINMENT = "entertainment", _("Bar, karaoke or entertainment venue")
    HOTEL = "hotel", _("Hotel or guest house")
    TRANSPORT = "transport", _("Bus, train or station")
    FARM = "farm", _("Field or farm")
    ONLINE = "online", pgettext_lazy("kind of place", "Online")
    OTHER = "other", _("Other")


class PersonRole(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    VICTIM = "victim", _("Victim")
    SUSPECT = "suspect", _("Suspect")
    WITNESS = "witness", _("Witness")


class Sex(models.TextChoices):
    """A person's sex as recorded (optional). The CCCD's 4th digit encodes it too
    (anninh.lib.identifiers.cccd_sex): the two must agree."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Not known")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    INVESTIGATING = "investigating", _("Under investigation")
    CLEARED = "cleared", _("Cleared")
    UNFOUNDED = "unfounded", _("Unfounded")
    CLOSED_ADMIN = "closed_admin", _("Closed administratively")
    TRANSFERRED = "transferred", _("Transferred")


class River(models.TextChoices):
    CAM = "cam", "Sông Cấm"
    BACH_DANG = "bach_dang", "Sông Bạch Đằng"
    VAN_UC = "van_uc", "Sông Văn Úc"
    THAI_BINH = "thai_binh", "Sông Thái Bình"
    KINH_THAY = "kinh_thay", "Sông Kinh Thầy"
    LACH_TRAY = "lach_tray", "Sông Lạch Tray"
    DA_BACH = "da_bach", "Sông Đá Bạc"
    SEA = "sea", _("Sea")
    OTHER = "other", _("Other waterway")
