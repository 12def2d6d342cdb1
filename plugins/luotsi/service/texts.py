"""What the service's own pages say (invitation, unsubscribe, unknown QR code), as msgids
translated into the visitor's language from the theme's catalogs; with the form's messages
(:data:`luotsi.forms.fields.MESSAGES`), every text the service shows a visitor."""

from __future__ import annotations

from ..forms.booking import BOOKING_MESSAGES
from ..forms.fields import MESSAGES, N_

TEXTS = {
    **MESSAGES,
    **BOOKING_MESSAGES,
    "booking_thanks": N_("Thank you! We received your booking request and will answer within "
                         "%(hours)s hours. We sent its details, and the address of this page, "
                         "to your e-mail."),
    "booking_waitlisted": N_("Thank you! You are on the waiting list. We will write to you as "
                             "soon as a place is free, and sent the address of this page to "
                             "your e-mail."),
    "status_heading": N_("Booking request %(reference)s"),
    "status_link": N_("This link is not valid, or it has expired. Please write to us from "
                      "our website. Our home page:"),
    "cancel_heading": N_("Cancel booking request %(reference)s?"),
    "cancel_too_late": N_("This request can no longer be cancelled here. Please write to us."),
    "cancelled_done": N_("Your request is cancelled. We sent you a confirmation."),
    "qr_unknown": N_("This code is not in use. Our home page:"),
    "booking": N_("This invitation link is not valid. Please write to us from our website."),
    "invite_heading": N_("How was your trip %(trip)s?"),
    "unsubscribe_heading": N_("No more invitations"),
    "unsubscribe_confirm": N_("Press the button and we will not send you invitations to give "
                              "feedback any more."),
    "unsubscribe_button": N_("Unsubscribe"),
    "unsubscribed": N_("Done: you will not get invitations from us any more."),
}
