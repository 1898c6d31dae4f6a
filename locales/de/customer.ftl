# billpass: alles, was Kundinnen und Kunden lesen, auf Deutsch (Sie-Form).
# See locales/en/customer.ftl for the conventions: variables arrive formatted, counts are
# numbers, "HTML:" variables carry markup, "GSM-7" messages go into text messages.

## Shared words (several pages, the email and the PDF)

view-my-bill = Meine Rechnung ansehen
send-new-link = Neuen Link zusenden
get-new-link-link = Neuen Link anfordern
check-messages = Prüfen Sie Ihre Nachrichten
your-bill = Ihre Rechnung
customer-service-title = Kundenservice von { $brand }
contact-phone = Telefon
contact-email = E-Mail
contact-online = Online
contact-hours = Servicezeiten
footer-no-contacts = { $brand } · Fragen zu Ihrer Rechnung? Wenden Sie sich an unseren Kundenservice.
channel-email = E-Mail
channel-sms = SMS
render-failed = Es ist ein Fehler aufgetreten.
# The footer's links to the page in the other languages.
languages-label = Weitere Sprachen

## Dates and times

period-range = { $start } – { $end }
date-time-zone = { $date } um { $time } { $zone }

## Home page

home-heading = Ihre Rechnung von { $brand } – nur einen Fingertipp entfernt
home-lead = In jedem Abrechnungszeitraum senden wir Ihnen eine E-Mail oder SMS mit einem persönlichen Link zu Ihrer Rechnung. Öffnen Sie den Link und tippen Sie auf { $button } – Sie müssen weder ein Konto anlegen noch sich ein Passwort merken.
home-lost-heading = Sie finden die Nachricht nicht?
home-lost-text = Links funktionieren nur wenige Tage, und jeder neue Link ersetzt den vorherigen. { $link } – mit der E-Mail-Adresse oder Mobilnummer, die bei uns für Sie hinterlegt ist.
home-questions-heading = Fragen zu Ihrer Rechnung?
home-contact-intro = Wenden Sie sich an den Kundenservice von { $brand }:

## Landing page

landing-title = Ihre Rechnung ist bereit
landing-lead = Öffnen Sie sie sicher mit einem Fingertipp. Kein Passwort nötig.
landing-note = Dieser Link ist nur für Sie bestimmt. Bitte leiten Sie ihn nicht weiter und teilen Sie ihn mit niemandem.

## Link status pages

status-invalid-title = Dieser Link funktioniert nicht
status-invalid-lead = Der Link ist möglicherweise unvollständig oder falsch eingegeben. Das kann passieren, wenn ein langer Link auf zwei Zeilen umbrochen oder nur teilweise kopiert wird.
status-invalid-text = Öffnen Sie ihn erneut direkt aus der Nachricht, die wir Ihnen gesendet haben. Falls er weiterhin nicht funktioniert, wenden Sie sich an den Kundenservice von { $brand }.
status-expired-title = Dieser Link ist abgelaufen
status-expired-lead = Zu Ihrer Sicherheit funktionieren Rechnungslinks nur für begrenzte Zeit.
status-expired-text = Wir können Ihnen einen neuen Link an dieselbe E-Mail-Adresse oder Telefonnummer wie zuvor senden.
status-superseded-title = Ein neuerer Link wurde gesendet
status-superseded-lead = Am { $sent_at } wurde ein neuerer Link per { $channel } gesendet, daher öffnet dieser Link Ihre Rechnung nicht mehr.
status-superseded-lead-no-details = Ihnen wurde ein neuerer Link gesendet, daher öffnet dieser Link Ihre Rechnung nicht mehr.
status-superseded-text = Bitte öffnen Sie Ihre Rechnung über die neueste Nachricht oder fordern Sie einen weiteren Link an.
status-revoked-title = Dieser Link wurde deaktiviert
status-revoked-lead = Dieser Link wurde deaktiviert und kann keine Rechnung mehr öffnen.
status-revoked-text = Falls Sie damit nicht gerechnet haben, wenden Sie sich bitte an den Kundenservice von { $brand }. Wir helfen Ihnen gern, Ihre Rechnung einzusehen.
status-limited-title = Zu viele Versuche
status-limited-lead = Zu Ihrer Sicherheit werden Links, die aus Ihrem Netzwerk geöffnet werden, kurz pausiert.
status-limited-text = Bitte warten Sie eine Minute und öffnen Sie den Link dann erneut aus der Nachricht, die wir Ihnen gesendet haben.
status-unusable-title = Dieser Link kann nicht verwendet werden
status-unusable-lead = Dieser Link öffnet keine Rechnung mehr.
status-unusable-text = Bitte wenden Sie sich an den Kundenservice von { $brand }.
status-get-link-offer = Nachricht verloren oder Telefon gewechselt? { $link } – mit Ihrer E-Mail-Adresse oder Mobilnummer.

## After asking for a new link from a link (renewed page)

renewed-sent-title = Neuer Link gesendet
renewed-sent-lead = Wir haben einen neuen Link an { $destination } gesendet.
renewed-sent-lead-on-file = Wir haben einen neuen Link an Ihre bei uns hinterlegte E-Mail-Adresse oder Telefonnummer gesendet.
renewed-sent-text = Sehen Sie in Ihrem Posteingang oder in Ihren Nachrichten nach. Es kann eine Minute dauern, bis er ankommt – wenn Sie keine E-Mail finden, sehen Sie bitte auch im Spam- oder Junk-Ordner nach.
renewed-too-soon-title = Gerade wurde ein neuer Link gesendet
renewed-too-soon-lead = Wir haben Ihnen vor wenigen Augenblicken einen neuen Link gesendet.
renewed-too-soon-text = Bitte warten Sie eine Minute, bis er ankommt, bevor Sie einen weiteren anfordern.
renewed-daily-limit-title = Zu viele Anfragen für heute
renewed-daily-limit-lead = Zu Ihrer Sicherheit können wir nur wenige neue Links pro Tag senden, und das heutige Limit ist erreicht.
renewed-daily-limit-text = Bitte versuchen Sie es morgen erneut oder wenden Sie sich an den Kundenservice von { $brand }, wenn Sie Ihre Rechnung früher benötigen.
renewed-no-contact-title = Wir können keinen neuen Link senden
renewed-no-contact-lead = Für diesen Versandweg ist bei uns keine Adresse hinterlegt, an die wir ihn senden könnten.
renewed-no-contact-text = Bitte wenden Sie sich an den Kundenservice von { $brand }, um Ihre E-Mail-Adresse oder Telefonnummer hinzuzufügen oder zu aktualisieren.
renewed-not-renewable-title = Dieser Link kann nicht erneuert werden
renewed-not-renewable-lead = Für diesen Link können wir keinen Ersatz senden.
renewed-not-renewable-text = Öffnen Sie die neueste Nachricht, die wir Ihnen gesendet haben, oder wenden Sie sich an den Kundenservice von { $brand }.
renewed-failed-title = Wir konnten keinen neuen Link senden
renewed-failed-lead = Ein Problem hat uns gerade daran gehindert, einen neuen Link zu senden.
renewed-failed-text = Bitte versuchen Sie es in ein paar Minuten erneut oder wenden Sie sich an den Kundenservice von { $brand }.

## Get a new link page (/link)

get-link-title = Neuen Link anfordern
get-link-lead = Geben Sie die E-Mail-Adresse oder Mobilnummer ein, an die wir Ihre Rechnungen senden. Wir schicken dann einen neuen Link dorthin.
get-link-label = E-Mail-Adresse oder Mobilnummer
get-link-hint = Geben Sie eine Mobilnummer bitte mit Ländervorwahl ein, zum Beispiel +1 555 010 0123.
get-link-note = Zu Ihrer Sicherheit senden wir Links nur an Adressen, die bereits bei uns hinterlegt sind.
get-link-sent-lead = Wenn diese E-Mail-Adresse oder Mobilnummer bei uns für ein Konto mit einer Rechnung hinterlegt ist, haben wir einen neuen Link dorthin gesendet.
get-link-sent-text = Es kann ein bis zwei Minuten dauern, bis er ankommt. Wenn Sie keine E-Mail finden, sehen Sie bitte auch im Spam- oder Junk-Ordner nach. Ein neuer Link ersetzt alle Links, die wir Ihnen zuvor gesendet haben.
get-link-sent-nothing = Nach ein paar Minuten immer noch nichts da? { $link } oder wenden Sie sich an den Kundenservice von { $brand }.
get-link-try-another = Versuchen Sie es mit einer anderen Adresse
get-link-limited-title = Zu viele Anfragen
get-link-limited-lead = Zu Ihrer Sicherheit können wir nur wenige neue Links auf einmal senden.
get-link-limited-retry-minutes =
    Bitte versuchen Sie es in { $count ->
        [one] einer Minute
       *[other] { $count } Minuten
    } erneut.
get-link-limited-retry-hours =
    Bitte versuchen Sie es in { $count ->
        [one] einer Stunde
       *[other] { $count } Stunden
    } erneut.
get-link-limited-retry-later = Bitte versuchen Sie es später erneut.
get-link-limited-on-its-way = Wenn Sie gerade erst angefragt haben, ist Ihr Link vielleicht schon unterwegs.
get-link-error-empty = Bitte geben Sie Ihre E-Mail-Adresse oder Mobilnummer ein.
get-link-error-unreadable = Das konnten wir nicht lesen. Bitte geben Sie Ihre E-Mail-Adresse oder Mobilnummer ein.
get-link-error-email = Das sieht nicht nach einer E-Mail-Adresse aus. Bitte prüfen Sie Ihre Eingabe – sie sollte etwa so aussehen: name@example.com.
get-link-error-phone = Bitte geben Sie Ihre Mobilnummer mit Ländervorwahl ein, zum Beispiel +1 555 010 0123, oder Ihre E-Mail-Adresse.
get-link-error-too-long = Das ist viel zu lang für eine E-Mail-Adresse oder Mobilnummer. Bitte geben Sie Ihre eigene ein.

## Message pages (errors and refusals)

message-get-link-offer = Sie finden keinen funktionierenden Link? { $link } – mit Ihrer E-Mail-Adresse oder Mobilnummer.
not-found-title = Seite nicht gefunden
not-found-text = Hier gibt es nichts. Um Ihre Rechnung zu sehen, öffnen Sie den Link in der Nachricht, die wir Ihnen gesendet haben.
unavailable-title = Wir sind gleich wieder da
unavailable-text = Rechnungen sind kurzzeitig nicht verfügbar. Bitte versuchen Sie Ihren Link in einer Minute erneut.
internal-title = Es ist ein Fehler aufgetreten
internal-text = Wir konnten diese Seite nicht anzeigen. Bitte versuchen Sie Ihren Link in ein paar Minuten erneut.
cross-site-title = Bitte verwenden Sie unsere eigene Seite
cross-site-open-text = Um Ihre Rechnung zu sehen, öffnen Sie den Link in der E-Mail oder SMS, die wir Ihnen gesendet haben, und tippen Sie dann auf „{ view-my-bill }“.
cross-site-get-link-text = Um einen neuen Link anzufordern, geben Sie Ihre E-Mail-Adresse oder Mobilnummer auf unserer Seite ein.
no-session-title = Öffnen Sie Ihre Rechnung über den Link
no-session-text = Um Ihre Rechnung zu sehen, öffnen Sie den Link in der E-Mail oder SMS, die wir Ihnen gesendet haben.
session-ended-title = Dieser Link ist nicht mehr gültig
session-ended-text = Ihnen wurde ein neuerer Link gesendet, oder dieser wurde deaktiviert. Öffnen Sie unsere neueste Nachricht, um Ihre Rechnung zu sehen.
bill-removed-title = Diese Rechnung ist nicht mehr verfügbar
bill-removed-text = Öffnen Sie unsere neueste Nachricht, um Ihre Rechnung zu sehen.

## Bill page (and the same words in the PDF)

bill-title = Ihre Rechnung für { $period }
bill-account = Konto
bill-billing-period = Abrechnungszeitraum
bill-issued = Rechnungsdatum
bill-payment-due = Fällig am
bill-credit-label = Sie haben ein Guthaben
bill-credit-tag = Guthaben
bill-credit-note = Nichts zu zahlen: Das Guthaben wird mit Ihrer nächsten Rechnung verrechnet.
bill-amount-due = Zu zahlender Betrag
bill-pay-by = Bitte zahlen Sie bis zum { $due_on }
bill-pay-button = { $amount } bezahlen
bill-download-pdf = PDF herunterladen
bill-pdf-filename = rechnung-{ $cycle }.pdf
bill-summary-heading = Kontoübersicht
bill-summary-caption = Kontoübersicht in { $currency }
bill-previous-balance = Vorheriger Saldo
bill-payments-received = Eingegangene Zahlungen
bill-charges-this-period = Kosten in diesem Zeitraum
bill-adjustments = Korrekturen
bill-credit-balance = Guthaben
bill-no-charges = Für diesen Zeitraum fallen keine Kosten an.
bill-charges-caption = Kosten für { $period } in { $currency }
bill-col-description = Beschreibung
bill-col-quantity = Menge
bill-col-rate = Preis
bill-col-amount = Betrag
bill-line-rate = zu { $rate }
bill-total-charges = Gesamtkosten
bill-changes-heading = Was sich geändert hat
bill-periods-caption = Kosten pro Zeitraum in { $currency }
bill-col-bill = Rechnung
bill-col-period = Zeitraum
bill-col-days = Tage
bill-col-charges = Kosten
bill-col-per-day = Pro Tag
bill-col-usage = Verbrauch
bill-movers-heading-previous = Größte Änderungen gegenüber der vorherigen Rechnung
bill-movers-heading-last-year = Größte Änderungen gegenüber dem Vorjahreszeitraum
bill-mover-new = Neu in diesem Zeitraum · { $current }
bill-mover-gone = { $previous } → nicht mehr berechnet
bill-mover-up = Gestiegen
bill-mover-down = Gesunken
bill-usage-heading = Ihr Verbrauch
bill-usage-unit = Pro Abrechnungszeitraum, in { $unit }
bill-chart-bar-title = { $label }: { $value }
bill-chart-this-period = Dieser Zeitraum: { $value }
bill-chart-earlier = Frühere Zeiträume
bill-chart-show-table = Verbrauch als Tabelle anzeigen
bill-chart-table-caption = Verbrauch pro Abrechnungszeitraum
bill-foot = Rechnung { $cycle } für Konto { $account }. Beträge in { $currency }.
bill-see-online = Diese Rechnung online ansehen:

## Bill figures written by code (src/billing/bill.rs)

bill-days =
    { $count ->
        [one] { $count } Tag
       *[other] { $count } Tage
    }
credit-why-payments = Ihre Zahlungen und Gutschriften ({ $paid }) übersteigen Ihren vorherigen Saldo und die Kosten dieses Zeitraums ({ $owed }).
credit-why-balance = Ihr Konto weist mehr Gutschriften als offene Beträge auf.
compare-this-bill = Diese Rechnung
compare-previous-bill = Vorherige Rechnung
compare-last-year = Vorjahreszeitraum
compare-more-than-previous = { $difference } mehr als bei der vorherigen Rechnung
compare-less-than-previous = { $difference } weniger als bei der vorherigen Rechnung
compare-same-as-previous = Genauso viel wie bei der vorherigen Rechnung
compare-more-than-last-year = { $difference } mehr als im Vorjahreszeitraum
compare-less-than-last-year = { $difference } weniger als im Vorjahreszeitraum
compare-same-as-last-year = Genauso viel wie im Vorjahreszeitraum
compare-length-note =
    Dieser Zeitraum hat { $this_days ->
        [one] { $this_days } Tag
       *[other] { $this_days } Tage
    }, der Vergleichszeitraum hatte { $other_days ->
        [one] { $other_days } Tag
       *[other] { $other_days } Tage
    }. Pro Tag: { $this_per_day } gegenüber { $other_per_day }.
chart-summary =
    { $count ->
        [one] Verbrauch im letzten Zeitraum: { $values }
       *[other] Verbrauch in den letzten { $count } Zeiträumen: { $values }
    }
chart-summary-item = { $period }: { $value }

## Line quantities and rates (src/billing/bill.rs)

line-rate-each = { $rate } pro Stück
line-rate-per = { $rate } pro { $unit }
line-quantity-day =
    { $count ->
        [one] { $quantity } Tag
       *[other] { $quantity } Tage
    }
line-rate-per-day = { $rate } pro Tag
line-quantity-night =
    { $count ->
        [one] { $quantity } Nacht
       *[other] { $quantity } Nächte
    }
line-rate-per-night = { $rate } pro Nacht
line-quantity-week =
    { $count ->
        [one] { $quantity } Woche
       *[other] { $quantity } Wochen
    }
line-rate-per-week = { $rate } pro Woche
line-quantity-month =
    { $count ->
        [one] { $quantity } Monat
       *[other] { $quantity } Monate
    }
line-rate-per-month = { $rate } pro Monat
line-quantity-year =
    { $count ->
        [one] { $quantity } Jahr
       *[other] { $quantity } Jahre
    }
line-rate-per-year = { $rate } pro Jahr
line-quantity-hour =
    { $count ->
        [one] { $quantity } Stunde
       *[other] { $quantity } Stunden
    }
line-rate-per-hour = { $rate } pro Stunde
line-quantity-minute =
    { $count ->
        [one] { $quantity } Minute
       *[other] { $quantity } Minuten
    }
line-rate-per-minute = { $rate } pro Minute
line-quantity-unit =
    { $count ->
        [one] { $quantity } Einheit
       *[other] { $quantity } Einheiten
    }
line-rate-per-unit = { $rate } pro Einheit
line-quantity-item =
    { $count ->
        [one] { $quantity } Artikel
       *[other] { $quantity } Artikel
    }
line-rate-per-item = { $rate } pro Artikel
# A utility meter (the device), not the length.
line-quantity-meter =
    { $count ->
        [one] { $quantity } Zähler
       *[other] { $quantity } Zähler
    }
line-rate-per-meter = { $rate } pro Zähler
# A phone or service line.
line-quantity-line =
    { $count ->
        [one] { $quantity } Anschluss
       *[other] { $quantity } Anschlüsse
    }
line-rate-per-line = { $rate } pro Anschluss
line-quantity-device =
    { $count ->
        [one] { $quantity } Gerät
       *[other] { $quantity } Geräte
    }
line-rate-per-device = { $rate } pro Gerät
line-quantity-user =
    { $count ->
        [one] { $quantity } Nutzer
       *[other] { $quantity } Nutzer
    }
line-rate-per-user = { $rate } pro Nutzer
# A licensed seat (one user's licence).
line-quantity-seat =
    { $count ->
        [one] { $quantity } Lizenz
       *[other] { $quantity } Lizenzen
    }
line-rate-per-seat = { $rate } pro Lizenz
line-quantity-visit =
    { $count ->
        [one] { $quantity } Einsatz
       *[other] { $quantity } Einsätze
    }
line-rate-per-visit = { $rate } pro Einsatz
line-quantity-service =
    { $count ->
        [one] { $quantity } Leistung
       *[other] { $quantity } Leistungen
    }
line-rate-per-service = { $rate } pro Leistung
# A connection to the network (water, gas, power).
line-quantity-connection =
    { $count ->
        [one] { $quantity } Hausanschluss
       *[other] { $quantity } Hausanschlüsse
    }
line-rate-per-connection = { $rate } pro Hausanschluss
# A waste bin.
line-quantity-bin =
    { $count ->
        [one] { $quantity } Behälter
       *[other] { $quantity } Behälter
    }
line-rate-per-bin = { $rate } pro Behälter

## Bill PDF only (src/web/bill_pdf.rs)

pdf-title = Rechnung { $cycle } von { $brand } für { $period }
pdf-bill-cycle = Rechnung { $cycle }
pdf-account = Konto { $account }
pdf-pay-online = Online bezahlen:
pdf-charges-heading = Kosten in diesem Zeitraum, in { $currency }
pdf-usage-heading = Ihr Verbrauch pro Abrechnungszeitraum, in { $unit }
pdf-usage-heading-no-unit = Ihr Verbrauch pro Abrechnungszeitraum

## Link email (subject, HTML part and text part)

email-subject-due = Ihre Rechnung von { $brand } für { $period }: { $amount }, fällig am { $due_on }
email-subject-credit = Ihre Rechnung von { $brand } für { $period }: { $amount } Guthaben
email-preheader-due = { $amount }, fällig am { $due_on }. Ihre Rechnung für { $period }.
email-preheader-credit = Sie haben ein Guthaben: { $amount }. Ihre Rechnung für { $period }.
email-greeting = Guten Tag { $name },
email-heading = Ihre Rechnung für { $period } ist bereit
email-text-heading = Ihre Rechnung von { $brand } für { $period } ist bereit.
email-credit = Sie haben ein Guthaben: { $amount }. Sie müssen nichts bezahlen; das Guthaben wird mit Ihrer nächsten Rechnung verrechnet.
email-due = Zu zahlender Betrag: { $amount }, zahlbar bis zum { $due_on }.
email-copy-link = Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:
email-text-view = Ihre Rechnung ansehen:
email-expiry = Dieser Link ist bis zum { $expires } gültig und nur für Sie bestimmt: Bitte leiten Sie ihn nicht weiter.
email-support-heading = Fragen zu Ihrer Rechnung? Kundenservice von { $brand }:
email-automated = Dies ist eine automatische Nachricht von { $brand }; Antworten werden nicht gelesen.
email-no-password = Wir werden Sie niemals per E-Mail bitten, ein Passwort oder Zahlungsdaten zu senden.

## Text messages (templates/sms/link.txt). GSM-7 only, as short as possible.

sms-with-brand = { $brand }: { $text }
sms-due = { $amount } bis { $due_on } { $link }
sms-credit = { $amount } Guthaben { $link }
sms-short-due = Rechnung über { $amount }, fällig am { $due_on }. { $link } Abmelden: STOP antworten
sms-short-credit = Guthaben von { $amount }, nichts zu zahlen. { $link } Abmelden: STOP antworten
