"""What the service's own pages say (invitation, unsubscribe, unknown QR code), as msgids
translated into the visitor's language from the theme's catalogs; with the form's messages
(:data:`luotsi.forms.fields.MESSAGES`), every text the service shows a visitor."""

from __future__ import annotations

from ..forms.fields import MESSAGES, N_

TEXTS = {
    **MESSAGES,
    "qr_unknown": N_("This code is not in use. Our home page:"),
    "booking": N_("This invitation link is not valid. Please write to us from our website."),
    "invite_heading": N_("How was your trip %(trip)s?"),
    "unsubscribe_heading": N_("No more invitations"),
    "unsubscribe_confirm": N_("Press the button and we will not send you invitations to give "
                              "feedback any more."),
    "unsubscribe_button": N_("Unsubscribe"),
    "unsubscribed": N_("Done: you will not get invitations from us any more."),
}
