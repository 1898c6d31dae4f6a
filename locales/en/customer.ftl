# billpass: every word a customer reads (pages, bill PDF, link email, text message).
#
# Conventions, the same in every locale:
# - Amounts, dates, times, periods and percentages arrive already formatted as strings
#   ($amount "$142.17", $due_on "23 Nov 2026", $period "1 Oct 2026 – 31 Oct 2026").
# - Counts used for plurals ($count, $this_days, $other_days) must be passed as numbers,
#   not strings, or the plural selector falls back to its default variant.
# - Variables named in a "HTML:" comment are built by the template with their markup
#   (a link, <strong>, <span>, <time>) and already escaped; such a message is then output
#   unescaped. No message contains <, > or &.
# - Messages marked "GSM-7" go into text messages: GSM 03.38 basic alphabet only, as short
#   as possible; the bundle must not insert Unicode isolation marks
#   (fluent-templates: `customise: |bundle| bundle.set_use_isolating(false)`).

## Shared words (several pages, the email and the PDF)

view-my-bill = View my bill
send-new-link = Send me a new link
# Link text inside the "{ $link } with your email address…" sentences.
get-new-link-link = Get a new link
check-messages = Check your messages
your-bill = Your bill
customer-service-title = { $brand } customer service
contact-phone = Phone
contact-email = Email
contact-online = Online
contact-hours = Hours
# Footer when the brand has no contact details.
footer-no-contacts = { $brand } · Questions about your bill? Contact our customer service team.
# How a newer link was sent ("…by email", "…by text message").
channel-email = email
channel-sms = text message
# Plain-text body when a page cannot be rendered at all.
render-failed = Something went wrong.
# The footer's links to the page in the other languages.
languages-label = Other languages

## Dates and times

# Both ends already formatted as dates.
period-range = { $start } – { $end }
# $date "24 Nov 2026", $time "14:26", $zone "EST (America/New_York)" or "UTC".
date-time-zone = { $date } at { $time } { $zone }

## Home page

home-heading = Your { $brand } bill, one tap away
# HTML: $button = <strong>{ view-my-bill }</strong>
home-lead = Each billing period we send you an email or a text message with a personal link to your bill. Open the link and press { $button }: there is no account to create and no password to remember.
home-lost-heading = Can't find the message?
# HTML: $link = <a href="/link">{ get-new-link-link }</a>
home-lost-text = Links stop working after a few days, and each new one replaces the one before. { $link } with the email address or mobile number we have on file for you.
home-questions-heading = Questions about your bill?
home-contact-intro = Contact { $brand } customer service:

## Landing page

landing-title = Your bill is ready
landing-lead = Open it securely with one tap. No password needed.
landing-note = This link is personal to you. Please don't forward it or share it with anyone.

## Link status pages

status-invalid-title = This link doesn't work
status-invalid-lead = The link may be incomplete or mistyped. This can happen when a long link is split across two lines or only part of it is copied.
status-invalid-text = Open it again straight from the message we sent you. If it still doesn't work, contact { $brand } customer service.
status-expired-title = This link has expired
status-expired-lead = For your security, bill links only work for a limited time.
status-expired-text = We can send a fresh link to the same email address or phone number we used before.
status-superseded-title = A newer link was sent
# HTML: $sent_at = <span class="sent-at">{ date-time-zone }</span>,
#       $channel = <span class="sent-by">{ channel-email or channel-sms }</span>
status-superseded-lead = A newer link was sent { $sent_at } by { $channel }, so this one no longer opens your bill.
# When the newer link's time and channel are unknown.
status-superseded-lead-no-details = A newer link was sent to you, so this one no longer opens your bill.
status-superseded-text = Please open your bill from the newest message, or ask for another link.
status-revoked-title = This link was cancelled
status-revoked-lead = This link has been cancelled and can no longer open a bill.
status-revoked-text = If you weren't expecting this, please contact { $brand } customer service and we'll help you see your bill.
status-limited-title = Too many tries
status-limited-lead = For your security, links opened from your network are paused for a moment.
status-limited-text = Please wait a minute, then open the link again from the message we sent you.
status-unusable-title = This link can't be used
status-unusable-lead = This link no longer opens a bill.
status-unusable-text = Please contact { $brand } customer service.
# HTML: $link = <a href="/link">{ get-new-link-link }</a>
status-get-link-offer = Lost the message, or changed phones? { $link } with your email address or mobile number.

## After asking for a new link from a link (renewed page)

renewed-sent-title = New link sent
# HTML: $destination = <strong class="destination">j•••@example.com</strong>
renewed-sent-lead = We've sent a new link to { $destination }.
renewed-sent-lead-on-file = We've sent a new link to your email address or phone number on file.
renewed-sent-text = Check your inbox or messages. It may take a minute to arrive — if you can't find an email, look in your spam or junk folder too.
renewed-too-soon-title = A new link was just sent
renewed-too-soon-lead = We sent you a new link moments ago.
renewed-too-soon-text = Please wait a minute for it to arrive before asking for another one.
renewed-daily-limit-title = Too many requests today
renewed-daily-limit-lead = For your security, we can only send a few new links each day, and today's limit has been reached.
renewed-daily-limit-text = Please try again tomorrow, or contact { $brand } customer service if you need your bill sooner.
renewed-no-contact-title = We can't send a new link
renewed-no-contact-lead = We have no address on file to send it to for that channel.
renewed-no-contact-text = Please contact { $brand } customer service to add or update your email address or phone number.
renewed-not-renewable-title = This link can't be renewed
renewed-not-renewable-lead = We can't send a replacement for this link.
renewed-not-renewable-text = Open the newest message we sent you, or contact { $brand } customer service.
renewed-failed-title = We couldn't send a new link
renewed-failed-lead = Something stopped us from sending a new link just now.
renewed-failed-text = Please try again in a few minutes, or contact { $brand } customer service.

## Get a new link page (/link)

get-link-title = Get a new link
get-link-lead = Type the email address or mobile number we send your bills to, and we'll send a new link there.
get-link-label = Email address or mobile number
get-link-hint = For a mobile number, start with the country code, like +1 555 010 0123.
get-link-note = For your security, we only send links to an address we already have on file.
get-link-sent-lead = If that email address or mobile number is on file for an account with a bill, we've sent a new link to it.
get-link-sent-text = It may take a minute or two to arrive. If you can't find an email, look in your spam or junk folder too. A new link replaces any link we sent before.
# HTML: $link = <a href="/link">{ get-link-try-another }</a>
get-link-sent-nothing = Nothing after a few minutes? { $link }, or contact { $brand } customer service.
get-link-try-another = Try another address
get-link-limited-title = Too many requests
get-link-limited-lead = For your security, we can only send a few new links at a time.
# The wait, rounded up: 1 to 90 minutes, then whole hours.
get-link-limited-retry-minutes =
    Please try again in { $count ->
        [one] a minute
       *[other] { $count } minutes
    }.
get-link-limited-retry-hours =
    Please try again in { $count ->
        [one] an hour
       *[other] { $count } hours
    }.
# When the wait is unknown.
get-link-limited-retry-later = Please try again in a while.
get-link-limited-on-its-way = If you asked a moment ago, your link may already be on its way.
get-link-error-empty = Please type your email address or mobile number.
get-link-error-unreadable = We couldn't read that. Please type your email address or mobile number.
get-link-error-email = That doesn't look like an email address. Please check it: it should look like name@example.com.
get-link-error-phone = Please type your mobile number with its country code, like +1 555 010 0123, or your email address.
get-link-error-too-long = That is far too long for an email address or mobile number. Please type yours.

## Message pages (errors and refusals)

# HTML: $link = <a href="/link">{ get-new-link-link }</a>
message-get-link-offer = Can't find a working link? { $link } with your email address or mobile number.
not-found-title = Page not found
not-found-text = There is nothing here. To see your bill, open the link in the message we sent you.
unavailable-title = We'll be right back
unavailable-text = Bills are briefly unavailable. Please try your link again in a minute.
internal-title = Something went wrong
internal-text = We could not show this page. Please try your link again in a few minutes.
cross-site-title = Please use our own page
cross-site-open-text = To see your bill, open the link in the email or text message we sent you, then press { view-my-bill }.
cross-site-get-link-text = To get a new link, type your email address or mobile number on our page.
no-session-title = Open your bill from its link
no-session-text = To see your bill, open the link in the email or text message we sent you.
session-ended-title = This link is no longer valid
session-ended-text = A newer link was sent to you, or this one was cancelled. Open the newest message from us to see your bill.
bill-removed-title = This bill is no longer available
bill-removed-text = Open the newest message from us to see your bill.

## Bill page (and the same words in the PDF)

bill-title = Your bill for { $period }
bill-account = Account
bill-billing-period = Billing period
bill-issued = Issued
bill-payment-due = Payment due
bill-credit-label = You're in credit
bill-credit-tag = Credit
bill-credit-note = Nothing to pay: the credit goes towards your next bill.
bill-amount-due = Amount due
# HTML on the page: $due_on = <time datetime="2026-11-23">23 Nov 2026</time>; plain in the PDF.
bill-pay-by = Please pay by { $due_on }
bill-pay-button = Pay { $amount }
bill-download-pdf = Download PDF
# The downloaded file's name (ASCII only: it also goes in Content-Disposition).
bill-pdf-filename = bill-{ $cycle }.pdf
bill-summary-heading = Account summary
bill-summary-caption = Account summary in { $currency }
bill-previous-balance = Previous balance
bill-payments-received = Payments received
bill-charges-this-period = Charges this period
bill-adjustments = Adjustments
bill-credit-balance = Credit balance
bill-no-charges = There are no charges for this period.
bill-charges-caption = Charges for { $period }, in { $currency }
bill-col-description = Description
bill-col-quantity = Quantity
# PDF only.
bill-col-rate = Rate
bill-col-amount = Amount
# After a line's quantity: "612 kWh at $0.1608 per kWh". $rate is a line-rate-* message.
bill-line-rate = at { $rate }
bill-total-charges = Total charges
bill-changes-heading = What changed
bill-periods-caption = Charges per period, in { $currency }
bill-col-bill = Bill
bill-col-period = Period
bill-col-days = Days
bill-col-charges = Charges
bill-col-per-day = Per day
bill-col-usage = Usage
bill-movers-heading-previous = Biggest changes against the previous bill
bill-movers-heading-last-year = Biggest changes against the same period last year
bill-mover-new = New this period · { $current }
bill-mover-gone = { $previous } → not charged
# Read by screen readers before the difference ("Up +$3.10").
bill-mover-up = Up
bill-mover-down = Down
bill-usage-heading = Your usage
# HTML: $unit = <span class="unit">kWh</span>
bill-usage-unit = Per billing period, in { $unit }
# Tooltip of a chart bar: "Oct: 612 kWh".
bill-chart-bar-title = { $label }: { $value }
# HTML: $value = <strong>612 kWh</strong>
bill-chart-this-period = This period: { $value }
bill-chart-earlier = Earlier periods
bill-chart-show-table = Show the usage as a table
bill-chart-table-caption = Usage per billing period
bill-foot = Bill { $cycle } for account { $account }. Amounts in { $currency }.
# Followed by the page's address.
bill-see-online = See this bill online:

## Bill figures written by code (src/billing/bill.rs)

# "31 days": the billing period's length.
bill-days =
    { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
credit-why-payments = Your payments and credits ({ $paid }) came to more than your previous balance and this period's charges ({ $owed }).
credit-why-balance = Your account holds more in credits than it owes.
compare-this-bill = This bill
compare-previous-bill = Previous bill
compare-last-year = Same period last year
compare-more-than-previous = { $difference } more than the previous bill
compare-less-than-previous = { $difference } less than the previous bill
compare-same-as-previous = The same as the previous bill
compare-more-than-last-year = { $difference } more than the same period last year
compare-less-than-last-year = { $difference } less than the same period last year
compare-same-as-last-year = The same as the same period last year
compare-length-note =
    This period has { $this_days ->
        [one] { $this_days } day
       *[other] { $this_days } days
    }; that one had { $other_days ->
        [one] { $other_days } day
       *[other] { $other_days } days
    }. Per day, { $this_per_day } against { $other_per_day }.
# Screen-reader summary of the usage chart; $values is a list of chart-summary-item.
chart-summary =
    { $count ->
        [one] Usage for the last period: { $values }
       *[other] Usage for the last { $count } periods: { $values }
    }
chart-summary-item = { $period }: { $value }

## Line quantities and rates (src/billing/bill.rs)
## A unit billpass does not know (kWh, m³, gal) is shown as imported ("612 kWh"), and its
## rate with line-rate-per. For the counted units below, $quantity is the quantity as
## imported ("31", "1.5") and $count the same quantity as a number, for the plural.
## $rate is always the formatted rate ("$12.50").

line-rate-each = { $rate } each
line-rate-per = { $rate } per { $unit }
line-quantity-day =
    { $count ->
        [one] { $quantity } day
       *[other] { $quantity } days
    }
line-rate-per-day = { $rate } per day
line-quantity-night =
    { $count ->
        [one] { $quantity } night
       *[other] { $quantity } nights
    }
line-rate-per-night = { $rate } per night
line-quantity-week =
    { $count ->
        [one] { $quantity } week
       *[other] { $quantity } weeks
    }
line-rate-per-week = { $rate } per week
line-quantity-month =
    { $count ->
        [one] { $quantity } month
       *[other] { $quantity } months
    }
line-rate-per-month = { $rate } per month
line-quantity-year =
    { $count ->
        [one] { $quantity } year
       *[other] { $quantity } years
    }
line-rate-per-year = { $rate } per year
line-quantity-hour =
    { $count ->
        [one] { $quantity } hour
       *[other] { $quantity } hours
    }
line-rate-per-hour = { $rate } per hour
line-quantity-minute =
    { $count ->
        [one] { $quantity } minute
       *[other] { $quantity } minutes
    }
line-rate-per-minute = { $rate } per minute
line-quantity-unit =
    { $count ->
        [one] { $quantity } unit
       *[other] { $quantity } units
    }
line-rate-per-unit = { $rate } per unit
line-quantity-item =
    { $count ->
        [one] { $quantity } item
       *[other] { $quantity } items
    }
line-rate-per-item = { $rate } per item
# A utility meter (the device), not the length.
line-quantity-meter =
    { $count ->
        [one] { $quantity } meter
       *[other] { $quantity } meters
    }
line-rate-per-meter = { $rate } per meter
# A phone or service line.
line-quantity-line =
    { $count ->
        [one] { $quantity } line
       *[other] { $quantity } lines
    }
line-rate-per-line = { $rate } per line
line-quantity-device =
    { $count ->
        [one] { $quantity } device
       *[other] { $quantity } devices
    }
line-rate-per-device = { $rate } per device
line-quantity-user =
    { $count ->
        [one] { $quantity } user
       *[other] { $quantity } users
    }
line-rate-per-user = { $rate } per user
# A licensed seat (one user's licence).
line-quantity-seat =
    { $count ->
        [one] { $quantity } seat
       *[other] { $quantity } seats
    }
line-rate-per-seat = { $rate } per seat
line-quantity-visit =
    { $count ->
        [one] { $quantity } visit
       *[other] { $quantity } visits
    }
line-rate-per-visit = { $rate } per visit
line-quantity-service =
    { $count ->
        [one] { $quantity } service
       *[other] { $quantity } services
    }
line-rate-per-service = { $rate } per service
# A connection to the network (water, gas, power).
line-quantity-connection =
    { $count ->
        [one] { $quantity } connection
       *[other] { $quantity } connections
    }
line-rate-per-connection = { $rate } per connection
# A waste bin.
line-quantity-bin =
    { $count ->
        [one] { $quantity } bin
       *[other] { $quantity } bins
    }
line-rate-per-bin = { $rate } per bin

## Bill PDF only (src/web/bill_pdf.rs)

# Document title in the PDF's metadata.
pdf-title = { $brand } bill { $cycle } for { $period }
pdf-bill-cycle = Bill { $cycle }
pdf-account = Account { $account }
# Followed by the pay page's address.
pdf-pay-online = Pay online:
pdf-charges-heading = Charges this period, in { $currency }
pdf-usage-heading = Your usage per billing period, in { $unit }
pdf-usage-heading-no-unit = Your usage per billing period

## Link email (subject, HTML part and text part)

email-subject-due = Your { $brand } bill for { $period }: { $amount } due { $due_on }
email-subject-credit = Your { $brand } bill for { $period }: { $amount } in credit
# Hidden preview line shown by mail apps next to the subject.
email-preheader-due = { $amount } due { $due_on }. Your bill for { $period }.
email-preheader-credit = You're in credit: { $amount }. Your bill for { $period }.
email-greeting = Hello { $name },
# HTML part's heading.
email-heading = Your bill for { $period } is ready
# Text part's first line.
email-text-heading = Your { $brand } bill for { $period } is ready.
# HTML part: $amount = <strong>$12.00</strong>; plain in the text part.
email-credit = You're in credit: { $amount }. There is nothing to pay; the credit goes towards your next bill.
# HTML part: $amount and $due_on in <strong>; plain in the text part.
email-due = Amount due: { $amount }, to pay by { $due_on }.
email-copy-link = If the button doesn't work, copy this link into your browser:
# Text part, before the link.
email-text-view = View your bill:
email-expiry = This link works until { $expires } and is for you only: please don't forward it.
email-support-heading = Questions about your bill? { $brand } customer service:
email-automated = This is an automated message from { $brand }; replies aren't read.
email-no-password = We will never ask you to send a password or payment details by email.

## Text messages (templates/sms/link.txt). GSM-7 only, as short as possible.
## The code shortens $brand until the message fits; the link is never cut.

# Wraps every text message when the brand is not empty; $text is one of the four below.
sms-with-brand = { $brand }: { $text }
# Token link (two segments): terse.
sms-due = { $amount } due { $due_on } { $link }
sms-credit = { $amount } in credit { $link }
# Short link (one segment): a sentence and the opt-out words. The reply keyword stays STOP.
sms-short-due = your bill of { $amount } is due { $due_on }. { $link } Reply STOP to opt out
sms-short-credit = your bill shows a credit of { $amount }, nothing to pay. { $link } Reply STOP to opt out
