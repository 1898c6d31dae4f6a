# billpass : tout ce que lit un client, en français (vouvoiement).
# See locales/en/customer.ftl for the conventions: variables arrive formatted, counts are
# numbers, "HTML:" variables carry markup, "GSM-7" messages go into text messages.
# Typography: U+00A0 before ":" and inside « », U+202F before ";", "?" and "!", ’ for the
# apostrophe; text messages use plain spaces and ' (GSM-7).

## Shared words (several pages, the email and the PDF)

view-my-bill = Voir ma facture
send-new-link = M’envoyer un nouveau lien
get-new-link-link = Demandez un nouveau lien
check-messages = Consultez vos messages
your-bill = Votre facture
customer-service-title = Service client { $brand }
contact-phone = Téléphone
contact-email = E-mail
contact-online = En ligne
contact-hours = Horaires
footer-no-contacts = { $brand } · Des questions sur votre facture ? Contactez notre service client.
channel-email = e-mail
channel-sms = SMS
render-failed = Une erreur s’est produite.
# The footer's links to the page in the other languages.
languages-label = Autres langues

## Dates and times

period-range = { $start } – { $end }
date-time-zone = { $date } à { $time } { $zone }

## Home page

home-heading = Votre facture { $brand } en un clic
home-lead = À chaque période de facturation, nous vous envoyons un e-mail ou un SMS contenant un lien personnel vers votre facture. Ouvrez le lien et appuyez sur { $button } : aucun compte à créer, aucun mot de passe à retenir.
home-lost-heading = Vous ne trouvez pas le message ?
home-lost-text = Les liens cessent de fonctionner au bout de quelques jours, et chaque nouveau lien remplace le précédent. { $link } avec l’adresse e-mail ou le numéro de mobile que nous avons enregistrés pour vous.
home-questions-heading = Des questions sur votre facture ?
home-contact-intro = Contactez le service client { $brand } :

## Landing page

landing-title = Votre facture est prête
landing-lead = Ouvrez-la en toute sécurité, d’un simple geste. Aucun mot de passe n’est nécessaire.
landing-note = Ce lien vous est personnel. Merci de ne pas le transférer ni le partager.

## Link status pages

status-invalid-title = Ce lien ne fonctionne pas
status-invalid-lead = Le lien est peut-être incomplet ou mal saisi. Cela peut arriver lorsqu’un long lien est coupé sur deux lignes ou qu’une partie seulement en est copiée.
status-invalid-text = Ouvrez-le de nouveau directement depuis le message que nous vous avons envoyé. S’il ne fonctionne toujours pas, contactez le service client { $brand }.
status-expired-title = Ce lien a expiré
status-expired-lead = Pour votre sécurité, les liens vers les factures ne fonctionnent que pendant une durée limitée.
status-expired-text = Nous pouvons envoyer un nouveau lien à la même adresse e-mail ou au même numéro de téléphone que la dernière fois.
status-superseded-title = Un lien plus récent a été envoyé
status-superseded-lead = Un lien plus récent a été envoyé le { $sent_at } par { $channel } ; celui-ci n’ouvre donc plus votre facture.
status-superseded-lead-no-details = Un lien plus récent vous a été envoyé ; celui-ci n’ouvre donc plus votre facture.
status-superseded-text = Ouvrez votre facture depuis le message le plus récent, ou demandez un autre lien.
status-revoked-title = Ce lien a été annulé
status-revoked-lead = Ce lien a été annulé et ne permet plus d’ouvrir une facture.
status-revoked-text = Si vous ne vous y attendiez pas, contactez le service client { $brand } : nous vous aiderons à consulter votre facture.
status-limited-title = Trop de tentatives
status-limited-lead = Pour votre sécurité, les liens ouverts depuis votre réseau sont suspendus pendant un court instant.
status-limited-text = Veuillez patienter une minute, puis rouvrir le lien depuis le message que nous vous avons envoyé.
status-unusable-title = Ce lien ne peut pas être utilisé
status-unusable-lead = Ce lien n’ouvre plus de facture.
status-unusable-text = Veuillez contacter le service client { $brand }.
status-get-link-offer = Vous avez perdu le message ou changé de téléphone ? { $link } avec votre adresse e-mail ou votre numéro de mobile.

## After asking for a new link from a link (renewed page)

renewed-sent-title = Nouveau lien envoyé
renewed-sent-lead = Nous avons envoyé un nouveau lien à { $destination }.
renewed-sent-lead-on-file = Nous avons envoyé un nouveau lien à l’adresse e-mail ou au numéro de téléphone enregistré.
renewed-sent-text = Consultez votre boîte de réception ou vos messages. Il peut falloir une minute pour qu’il arrive ; si vous ne trouvez pas l’e-mail, regardez aussi dans vos courriers indésirables.
renewed-too-soon-title = Un nouveau lien vient d’être envoyé
renewed-too-soon-lead = Nous vous avons envoyé un nouveau lien il y a quelques instants.
renewed-too-soon-text = Veuillez patienter une minute, le temps qu’il arrive, avant d’en demander un autre.
renewed-daily-limit-title = Trop de demandes aujourd’hui
renewed-daily-limit-lead = Pour votre sécurité, nous ne pouvons envoyer que quelques nouveaux liens par jour, et la limite d’aujourd’hui est atteinte.
renewed-daily-limit-text = Veuillez réessayer demain, ou contactez le service client { $brand } si vous avez besoin de votre facture plus tôt.
renewed-no-contact-title = Impossible d’envoyer un nouveau lien
renewed-no-contact-lead = Nous n’avons aucune adresse enregistrée à laquelle l’envoyer par ce moyen.
renewed-no-contact-text = Veuillez contacter le service client { $brand } pour ajouter ou mettre à jour votre adresse e-mail ou votre numéro de téléphone.
renewed-not-renewable-title = Ce lien ne peut pas être renouvelé
renewed-not-renewable-lead = Nous ne pouvons pas envoyer de lien pour remplacer celui-ci.
renewed-not-renewable-text = Ouvrez le message le plus récent que nous vous avons envoyé, ou contactez le service client { $brand }.
renewed-failed-title = Nous n’avons pas pu envoyer de nouveau lien
renewed-failed-lead = Un problème nous a empêchés d’envoyer un nouveau lien à l’instant.
renewed-failed-text = Veuillez réessayer dans quelques minutes, ou contactez le service client { $brand }.

## Get a new link page (/link)

get-link-title = Obtenir un nouveau lien
get-link-lead = Saisissez l’adresse e-mail ou le numéro de mobile auquel nous envoyons vos factures : nous y enverrons un nouveau lien.
get-link-label = Adresse e-mail ou numéro de mobile
get-link-hint = Pour un numéro de mobile, commencez par l’indicatif du pays, par exemple +1 555 010 0123.
get-link-note = Pour votre sécurité, nous n’envoyons de liens qu’à une adresse déjà enregistrée chez nous.
get-link-sent-lead = Si cette adresse e-mail ou ce numéro de mobile est enregistré pour un compte ayant une facture, nous y avons envoyé un nouveau lien.
get-link-sent-text = Il peut falloir une minute ou deux pour qu’il arrive. Si vous ne trouvez pas l’e-mail, regardez aussi dans vos courriers indésirables. Un nouveau lien remplace tous ceux que nous vous avons envoyés auparavant.
get-link-sent-nothing = Toujours rien après quelques minutes ? { $link }, ou contactez le service client { $brand }.
get-link-try-another = Essayez une autre adresse
get-link-limited-title = Trop de demandes
get-link-limited-lead = Pour votre sécurité, nous ne pouvons envoyer que quelques nouveaux liens à la fois.
get-link-limited-retry-minutes =
    Veuillez réessayer dans { $count ->
        [one] une minute
       *[other] { $count } minutes
    }.
get-link-limited-retry-hours =
    Veuillez réessayer dans { $count ->
        [one] une heure
       *[other] { $count } heures
    }.
get-link-limited-retry-later = Veuillez réessayer un peu plus tard.
get-link-limited-on-its-way = Si vous venez d’en faire la demande, votre lien est peut-être déjà en route.
get-link-error-empty = Veuillez saisir votre adresse e-mail ou votre numéro de mobile.
get-link-error-unreadable = Nous n’avons pas pu lire votre saisie. Veuillez saisir votre adresse e-mail ou votre numéro de mobile.
get-link-error-email = Cela ne ressemble pas à une adresse e-mail. Veuillez la vérifier : elle doit avoir la forme nom@example.com.
get-link-error-phone = Veuillez saisir votre numéro de mobile avec l’indicatif du pays, par exemple +1 555 010 0123, ou votre adresse e-mail.
get-link-error-too-long = C’est beaucoup trop long pour une adresse e-mail ou un numéro de mobile. Veuillez saisir votre adresse ou votre numéro.

## Message pages (errors and refusals)

message-get-link-offer = Vous ne trouvez pas de lien valide ? { $link } avec votre adresse e-mail ou votre numéro de mobile.
not-found-title = Page introuvable
not-found-text = Il n’y a rien ici. Pour consulter votre facture, ouvrez le lien du message que nous vous avons envoyé.
unavailable-title = Nous revenons tout de suite
unavailable-text = Les factures sont momentanément indisponibles. Veuillez réessayer votre lien dans une minute.
internal-title = Une erreur s’est produite
internal-text = Nous n’avons pas pu afficher cette page. Veuillez réessayer votre lien dans quelques minutes.
cross-site-title = Veuillez utiliser notre propre page
cross-site-open-text = Pour consulter votre facture, ouvrez le lien de l’e-mail ou du SMS que nous vous avons envoyé, puis appuyez sur « { view-my-bill } ».
cross-site-get-link-text = Pour obtenir un nouveau lien, saisissez votre adresse e-mail ou votre numéro de mobile sur notre page.
no-session-title = Ouvrez votre facture depuis son lien
no-session-text = Pour consulter votre facture, ouvrez le lien de l’e-mail ou du SMS que nous vous avons envoyé.
session-ended-title = Ce lien n’est plus valide
session-ended-text = Un lien plus récent vous a été envoyé, ou celui-ci a été annulé. Ouvrez notre message le plus récent pour consulter votre facture.
bill-removed-title = Cette facture n’est plus disponible
bill-removed-text = Ouvrez notre message le plus récent pour consulter votre facture.

## Bill page (and the same words in the PDF)

bill-title = Votre facture pour la période { $period }
bill-account = Compte
bill-billing-period = Période de facturation
bill-issued = Date d’émission
bill-payment-due = Date d’échéance
bill-credit-label = Votre compte est créditeur
bill-credit-tag = Crédit
bill-credit-note = Rien à payer : le crédit sera déduit de votre prochaine facture.
bill-amount-due = Montant à payer
bill-pay-by = À régler au plus tard le { $due_on }
bill-pay-button = Payer { $amount }
bill-download-pdf = Télécharger le PDF
bill-pdf-filename = facture-{ $cycle }.pdf
bill-summary-heading = Récapitulatif du compte
bill-summary-caption = Récapitulatif du compte en { $currency }
bill-previous-balance = Solde précédent
bill-payments-received = Paiements reçus
bill-charges-this-period = Montants de la période
bill-adjustments = Ajustements
bill-credit-balance = Solde créditeur
bill-no-charges = Aucun montant n’est facturé pour cette période.
bill-charges-caption = Montants de la période { $period }, en { $currency }
bill-col-description = Description
bill-col-quantity = Quantité
bill-col-rate = Tarif
bill-col-amount = Montant
bill-line-rate = à { $rate }
bill-total-charges = Total de la période
bill-changes-heading = Ce qui a changé
bill-periods-caption = Montants par période, en { $currency }
bill-col-bill = Facture
bill-col-period = Période
bill-col-days = Jours
bill-col-charges = Montant
bill-col-per-day = Par jour
bill-col-usage = Consommation
bill-movers-heading-previous = Principales évolutions par rapport à la facture précédente
bill-movers-heading-last-year = Principales évolutions par rapport à la même période l’an dernier
bill-mover-new = Nouveau sur cette période · { $current }
bill-mover-gone = { $previous } → plus facturé
bill-mover-up = Hausse
bill-mover-down = Baisse
bill-usage-heading = Votre consommation
bill-usage-unit = Par période de facturation, en { $unit }
bill-chart-bar-title = { $label } : { $value }
bill-chart-this-period = Cette période : { $value }
bill-chart-earlier = Périodes précédentes
bill-chart-show-table = Afficher la consommation sous forme de tableau
bill-chart-table-caption = Consommation par période de facturation
bill-foot = Facture { $cycle } du compte { $account }. Montants en { $currency }.
bill-see-online = Consultez cette facture en ligne :

## Bill figures written by code (src/billing/bill.rs)

bill-days =
    { $count ->
        [one] { $count } jour
       *[other] { $count } jours
    }
credit-why-payments = Vos paiements et avoirs ({ $paid }) dépassent votre solde précédent et les montants de cette période ({ $owed }).
credit-why-balance = Les avoirs de votre compte dépassent les sommes dues.
compare-this-bill = Cette facture
compare-previous-bill = Facture précédente
compare-last-year = Même période l’an dernier
compare-more-than-previous = { $difference } de plus que la facture précédente
compare-less-than-previous = { $difference } de moins que la facture précédente
compare-same-as-previous = Identique à la facture précédente
compare-more-than-last-year = { $difference } de plus que la même période l’an dernier
compare-less-than-last-year = { $difference } de moins que la même période l’an dernier
compare-same-as-last-year = Identique à la même période l’an dernier
compare-length-note =
    Cette période compte { $this_days ->
        [one] { $this_days } jour
       *[other] { $this_days } jours
    }, contre { $other_days ->
        [one] { $other_days } jour
       *[other] { $other_days } jours
    } pour l’autre. Par jour : { $this_per_day } contre { $other_per_day }.
chart-summary =
    { $count ->
        [one] Consommation de la dernière période : { $values }
       *[other] Consommation des { $count } dernières périodes : { $values }
    }
chart-summary-item = { $period } : { $value }

## Line quantities and rates (src/billing/bill.rs)

line-rate-each = { $rate } l’unité
line-rate-per = { $rate } par { $unit }
line-quantity-day =
    { $count ->
        [one] { $quantity } jour
       *[other] { $quantity } jours
    }
line-rate-per-day = { $rate } par jour
line-quantity-night =
    { $count ->
        [one] { $quantity } nuit
       *[other] { $quantity } nuits
    }
line-rate-per-night = { $rate } par nuit
line-quantity-week =
    { $count ->
        [one] { $quantity } semaine
       *[other] { $quantity } semaines
    }
line-rate-per-week = { $rate } par semaine
line-quantity-month =
    { $count ->
        [one] { $quantity } mois
       *[other] { $quantity } mois
    }
line-rate-per-month = { $rate } par mois
line-quantity-year =
    { $count ->
        [one] { $quantity } an
       *[other] { $quantity } ans
    }
line-rate-per-year = { $rate } par an
line-quantity-hour =
    { $count ->
        [one] { $quantity } heure
       *[other] { $quantity } heures
    }
line-rate-per-hour = { $rate } par heure
line-quantity-minute =
    { $count ->
        [one] { $quantity } minute
       *[other] { $quantity } minutes
    }
line-rate-per-minute = { $rate } par minute
line-quantity-unit =
    { $count ->
        [one] { $quantity } unité
       *[other] { $quantity } unités
    }
line-rate-per-unit = { $rate } par unité
line-quantity-item =
    { $count ->
        [one] { $quantity } article
       *[other] { $quantity } articles
    }
line-rate-per-item = { $rate } par article
# A utility meter (the device), not the length.
line-quantity-meter =
    { $count ->
        [one] { $quantity } compteur
       *[other] { $quantity } compteurs
    }
line-rate-per-meter = { $rate } par compteur
# A phone or service line.
line-quantity-line =
    { $count ->
        [one] { $quantity } ligne
       *[other] { $quantity } lignes
    }
line-rate-per-line = { $rate } par ligne
line-quantity-device =
    { $count ->
        [one] { $quantity } appareil
       *[other] { $quantity } appareils
    }
line-rate-per-device = { $rate } par appareil
line-quantity-user =
    { $count ->
        [one] { $quantity } utilisateur
       *[other] { $quantity } utilisateurs
    }
line-rate-per-user = { $rate } par utilisateur
# A licensed seat (one user's licence).
line-quantity-seat =
    { $count ->
        [one] { $quantity } licence
       *[other] { $quantity } licences
    }
line-rate-per-seat = { $rate } par licence
line-quantity-visit =
    { $count ->
        [one] { $quantity } visite
       *[other] { $quantity } visites
    }
line-rate-per-visit = { $rate } par visite
line-quantity-service =
    { $count ->
        [one] { $quantity } service
       *[other] { $quantity } services
    }
line-rate-per-service = { $rate } par service
# A connection to the network (water, gas, power).
line-quantity-connection =
    { $count ->
        [one] { $quantity } branchement
       *[other] { $quantity } branchements
    }
line-rate-per-connection = { $rate } par branchement
# A waste bin.
line-quantity-bin =
    { $count ->
        [one] { $quantity } bac
       *[other] { $quantity } bacs
    }
line-rate-per-bin = { $rate } par bac

## Bill PDF only (src/web/bill_pdf.rs)

pdf-title = Facture { $brand } { $cycle } pour la période { $period }
pdf-bill-cycle = Facture { $cycle }
pdf-account = Compte { $account }
pdf-pay-online = Payer en ligne :
pdf-charges-heading = Montants de la période, en { $currency }
pdf-usage-heading = Votre consommation par période de facturation, en { $unit }
pdf-usage-heading-no-unit = Votre consommation par période de facturation

## Link email (subject, HTML part and text part)

email-subject-due = Votre facture { $brand } pour la période { $period } : { $amount }, échéance le { $due_on }
email-subject-credit = Votre facture { $brand } pour la période { $period } : crédit de { $amount }
email-preheader-due = { $amount } à régler au plus tard le { $due_on }. Votre facture pour la période { $period }.
email-preheader-credit = Votre compte est créditeur : { $amount }. Votre facture pour la période { $period }.
email-greeting = Bonjour { $name },
email-heading = Votre facture pour la période { $period } est prête
email-text-heading = Votre facture { $brand } pour la période { $period } est prête.
email-credit = Votre compte est créditeur : { $amount }. Vous n’avez rien à payer ; le crédit sera déduit de votre prochaine facture.
email-due = Montant à payer : { $amount }, à régler au plus tard le { $due_on }.
email-copy-link = Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :
email-text-view = Consultez votre facture :
email-expiry = Ce lien est valable jusqu’au { $expires } et vous est strictement personnel : merci de ne pas le transférer.
email-support-heading = Des questions sur votre facture ? Service client { $brand } :
email-automated = Ceci est un message automatique de { $brand } ; les réponses ne sont pas lues.
email-no-password = Nous ne vous demanderons jamais de nous envoyer un mot de passe ou vos coordonnées de paiement par e-mail.

## Text messages (templates/sms/link.txt). GSM-7 only, as short as possible.
## Plain spaces (not U+00A0) and no ê, â, î, ô, û, ç, ’: they are outside GSM-7.

sms-with-brand = { $brand } : { $text }
sms-due = { $amount } au { $due_on } { $link }
sms-credit = { $amount } de crédit { $link }
sms-short-due = facture de { $amount } à payer le { $due_on }. { $link } Désabonnement : répondez STOP
sms-short-credit = vous avez un crédit de { $amount }, rien à payer. { $link } Désabonnement : répondez STOP
