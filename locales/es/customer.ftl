# billpass: todo lo que lee un cliente, en español (usted).
# See locales/en/customer.ftl for the conventions: variables arrive formatted, counts are
# numbers, "HTML:" variables carry markup, "GSM-7" messages go into text messages.

## Shared words (several pages, the email and the PDF)

view-my-bill = Ver mi factura
send-new-link = Enviarme un nuevo enlace
get-new-link-link = Solicite un nuevo enlace
check-messages = Revise sus mensajes
your-bill = Su factura
customer-service-title = Atención al cliente de { $brand }
contact-phone = Teléfono
contact-email = Correo electrónico
contact-online = En línea
contact-hours = Horario
footer-no-contacts = { $brand } · ¿Tiene preguntas sobre su factura? Póngase en contacto con nuestro servicio de atención al cliente.
channel-email = correo electrónico
channel-sms = SMS
render-failed = Se ha producido un error.
# The footer's links to the page in the other languages.
languages-label = Otros idiomas

## Dates and times

period-range = { $start } – { $end }
# "24 nov 2026, 14:26 UTC" (avoids "a la 1:05" / "a las 14:26").
date-time-zone = { $date }, { $time } { $zone }

## Home page

home-heading = Su factura de { $brand }, a un toque
home-lead = En cada periodo de facturación le enviamos un correo electrónico o un SMS con un enlace personal a su factura. Abra el enlace y pulse { $button }: no tiene que crear ninguna cuenta ni recordar ninguna contraseña.
home-lost-heading = ¿No encuentra el mensaje?
home-lost-text = Los enlaces dejan de funcionar al cabo de unos días, y cada enlace nuevo sustituye al anterior. { $link } con la dirección de correo electrónico o el número de móvil que tenemos registrados.
home-questions-heading = ¿Tiene preguntas sobre su factura?
home-contact-intro = Póngase en contacto con atención al cliente de { $brand }:

## Landing page

landing-title = Su factura está lista
landing-lead = Ábrala de forma segura con un solo toque. Sin contraseña.
landing-note = Este enlace es personal. Por favor, no lo reenvíe ni lo comparta con nadie.

## Link status pages

status-invalid-title = Este enlace no funciona
status-invalid-lead = Es posible que el enlace esté incompleto o mal escrito. Esto puede ocurrir cuando un enlace largo se divide en dos líneas o solo se copia una parte.
status-invalid-text = Vuelva a abrirlo directamente desde el mensaje que le enviamos. Si sigue sin funcionar, póngase en contacto con atención al cliente de { $brand }.
status-expired-title = Este enlace ha caducado
status-expired-lead = Por su seguridad, los enlaces a las facturas solo funcionan durante un tiempo limitado.
status-expired-text = Podemos enviarle un enlace nuevo a la misma dirección de correo electrónico o al mismo número de teléfono que utilizamos antes.
status-superseded-title = Se ha enviado un enlace más reciente
status-superseded-lead = Se envió un enlace más reciente el { $sent_at } por { $channel }, por lo que este ya no abre su factura.
status-superseded-lead-no-details = Se le ha enviado un enlace más reciente, por lo que este ya no abre su factura.
status-superseded-text = Abra su factura desde el mensaje más reciente o solicite otro enlace.
status-revoked-title = Este enlace se ha cancelado
status-revoked-lead = Este enlace se ha cancelado y ya no permite abrir ninguna factura.
status-revoked-text = Si no lo esperaba, póngase en contacto con atención al cliente de { $brand } y le ayudaremos a ver su factura.
status-limited-title = Demasiados intentos
status-limited-lead = Por su seguridad, los enlaces abiertos desde su red se han pausado durante unos instantes.
status-limited-text = Espere un minuto y vuelva a abrir el enlace desde el mensaje que le enviamos.
status-unusable-title = Este enlace no se puede utilizar
status-unusable-lead = Este enlace ya no abre ninguna factura.
status-unusable-text = Póngase en contacto con atención al cliente de { $brand }.
status-get-link-offer = ¿Ha perdido el mensaje o ha cambiado de teléfono? { $link } con su dirección de correo electrónico o su número de móvil.

## After asking for a new link from a link (renewed page)

renewed-sent-title = Nuevo enlace enviado
renewed-sent-lead = Hemos enviado un nuevo enlace a { $destination }.
renewed-sent-lead-on-file = Hemos enviado un nuevo enlace a la dirección de correo electrónico o al número de teléfono que tenemos registrados.
renewed-sent-text = Revise su bandeja de entrada o sus mensajes. Puede tardar un minuto en llegar; si no encuentra el correo, mire también en la carpeta de spam o de correo no deseado.
renewed-too-soon-title = Se acaba de enviar un nuevo enlace
renewed-too-soon-lead = Le enviamos un nuevo enlace hace unos instantes.
renewed-too-soon-text = Espere un minuto a que llegue antes de solicitar otro.
renewed-daily-limit-title = Demasiadas solicitudes por hoy
renewed-daily-limit-lead = Por su seguridad, solo podemos enviar unos pocos enlaces nuevos al día, y ya se ha alcanzado el límite de hoy.
renewed-daily-limit-text = Vuelva a intentarlo mañana o, si necesita su factura antes, póngase en contacto con atención al cliente de { $brand }.
renewed-no-contact-title = No podemos enviar un nuevo enlace
renewed-no-contact-lead = No tenemos registrada ninguna dirección a la que enviarlo por ese medio.
renewed-no-contact-text = Póngase en contacto con atención al cliente de { $brand } para añadir o actualizar su dirección de correo electrónico o su número de teléfono.
renewed-not-renewable-title = Este enlace no se puede renovar
renewed-not-renewable-lead = No podemos enviar un enlace que sustituya a este.
renewed-not-renewable-text = Abra el mensaje más reciente que le enviamos o póngase en contacto con atención al cliente de { $brand }.
renewed-failed-title = No hemos podido enviar un nuevo enlace
renewed-failed-lead = Algo nos ha impedido enviar un nuevo enlace en este momento.
renewed-failed-text = Vuelva a intentarlo dentro de unos minutos o póngase en contacto con atención al cliente de { $brand }.

## Get a new link page (/link)

get-link-title = Solicitar un nuevo enlace
get-link-lead = Escriba la dirección de correo electrónico o el número de móvil al que le enviamos sus facturas y le enviaremos allí un nuevo enlace.
get-link-label = Correo electrónico o número de móvil
get-link-hint = Si es un número de móvil, empiece por el prefijo del país, por ejemplo +1 555 010 0123.
get-link-note = Por su seguridad, solo enviamos enlaces a direcciones que ya tenemos registradas.
get-link-sent-lead = Si esa dirección de correo electrónico o ese número de móvil consta en una cuenta con factura, le hemos enviado allí un nuevo enlace.
get-link-sent-text = Puede tardar uno o dos minutos en llegar. Si no encuentra el correo, mire también en la carpeta de spam o de correo no deseado. Un enlace nuevo sustituye a cualquier enlace que le hayamos enviado antes.
get-link-sent-nothing = ¿No ha recibido nada después de unos minutos? { $link } o póngase en contacto con atención al cliente de { $brand }.
get-link-try-another = Pruebe con otra dirección
get-link-limited-title = Demasiadas solicitudes
get-link-limited-lead = Por su seguridad, solo podemos enviar unos pocos enlaces nuevos a la vez.
get-link-limited-retry-minutes =
    Vuelva a intentarlo dentro de { $count ->
        [one] un minuto
       *[other] { $count } minutos
    }.
get-link-limited-retry-hours =
    Vuelva a intentarlo dentro de { $count ->
        [one] una hora
       *[other] { $count } horas
    }.
get-link-limited-retry-later = Vuelva a intentarlo dentro de un rato.
get-link-limited-on-its-way = Si lo solicitó hace un momento, es posible que su enlace ya esté en camino.
get-link-error-empty = Escriba su dirección de correo electrónico o su número de móvil.
get-link-error-unreadable = No hemos podido leer lo que ha escrito. Escriba su dirección de correo electrónico o su número de móvil.
get-link-error-email = Eso no parece una dirección de correo electrónico. Compruébela: debería tener un formato como nombre@example.com.
get-link-error-phone = Escriba su número de móvil con el prefijo del país, por ejemplo +1 555 010 0123, o su dirección de correo electrónico.
get-link-error-too-long = Es demasiado largo para ser una dirección de correo electrónico o un número de móvil. Escriba su dirección o su número.

## Message pages (errors and refusals)

message-get-link-offer = ¿No encuentra un enlace que funcione? { $link } con su dirección de correo electrónico o su número de móvil.
not-found-title = Página no encontrada
not-found-text = Aquí no hay nada. Para ver su factura, abra el enlace del mensaje que le enviamos.
unavailable-title = Volvemos enseguida
unavailable-text = Las facturas no están disponibles durante unos instantes. Vuelva a probar su enlace dentro de un minuto.
internal-title = Se ha producido un error
internal-text = No hemos podido mostrar esta página. Vuelva a probar su enlace dentro de unos minutos.
cross-site-title = Utilice nuestra propia página
cross-site-open-text = Para ver su factura, abra el enlace del correo electrónico o del SMS que le enviamos y pulse «{ view-my-bill }».
cross-site-get-link-text = Para solicitar un nuevo enlace, escriba su dirección de correo electrónico o su número de móvil en nuestra página.
no-session-title = Abra su factura desde su enlace
no-session-text = Para ver su factura, abra el enlace del correo electrónico o del SMS que le enviamos.
session-ended-title = Este enlace ya no es válido
session-ended-text = Se le envió un enlace más reciente, o este se canceló. Abra nuestro mensaje más reciente para ver su factura.
bill-removed-title = Esta factura ya no está disponible
bill-removed-text = Abra nuestro mensaje más reciente para ver su factura.

## Bill page (and the same words in the PDF)

bill-title = Su factura del periodo { $period }
bill-account = Cuenta
bill-billing-period = Periodo de facturación
bill-issued = Fecha de emisión
bill-payment-due = Fecha de vencimiento
bill-credit-label = Tiene saldo a favor
bill-credit-tag = A su favor
bill-credit-note = No tiene nada que pagar: el saldo a favor se descontará de su próxima factura.
bill-amount-due = Importe a pagar
bill-pay-by = Pague a más tardar el { $due_on }
bill-pay-button = Pagar { $amount }
bill-download-pdf = Descargar PDF
bill-pdf-filename = factura-{ $cycle }.pdf
bill-summary-heading = Resumen de la cuenta
bill-summary-caption = Resumen de la cuenta en { $currency }
bill-previous-balance = Saldo anterior
bill-payments-received = Pagos recibidos
bill-charges-this-period = Cargos de este periodo
bill-adjustments = Ajustes
bill-credit-balance = Saldo a favor
bill-no-charges = No hay cargos en este periodo.
bill-charges-caption = Cargos del periodo { $period }, en { $currency }
bill-col-description = Descripción
bill-col-quantity = Cantidad
bill-col-rate = Tarifa
bill-col-amount = Importe
bill-line-rate = a { $rate }
bill-total-charges = Total de cargos
bill-changes-heading = Qué ha cambiado
bill-periods-caption = Cargos por periodo, en { $currency }
bill-col-bill = Factura
bill-col-period = Periodo
bill-col-days = Días
bill-col-charges = Cargos
bill-col-per-day = Por día
bill-col-usage = Consumo
bill-movers-heading-previous = Mayores cambios respecto a la factura anterior
bill-movers-heading-last-year = Mayores cambios respecto al mismo periodo del año pasado
bill-mover-new = Nuevo en este periodo · { $current }
bill-mover-gone = { $previous } → sin cargo
bill-mover-up = Sube
bill-mover-down = Baja
bill-usage-heading = Su consumo
bill-usage-unit = Por periodo de facturación, en { $unit }
bill-chart-bar-title = { $label }: { $value }
bill-chart-this-period = Este periodo: { $value }
bill-chart-earlier = Periodos anteriores
bill-chart-show-table = Mostrar el consumo en una tabla
bill-chart-table-caption = Consumo por periodo de facturación
bill-foot = Factura { $cycle } de la cuenta { $account }. Importes en { $currency }.
bill-see-online = Vea esta factura en línea:

## Bill figures written by code (src/billing/bill.rs)

bill-days =
    { $count ->
        [one] { $count } día
       *[other] { $count } días
    }
credit-why-payments = Sus pagos y abonos ({ $paid }) superaron su saldo anterior más los cargos de este periodo ({ $owed }).
credit-why-balance = Su cuenta tiene más abonos que importes pendientes.
compare-this-bill = Esta factura
compare-previous-bill = Factura anterior
compare-last-year = Mismo periodo del año pasado
compare-more-than-previous = { $difference } más que la factura anterior
compare-less-than-previous = { $difference } menos que la factura anterior
compare-same-as-previous = Igual que la factura anterior
compare-more-than-last-year = { $difference } más que el mismo periodo del año pasado
compare-less-than-last-year = { $difference } menos que el mismo periodo del año pasado
compare-same-as-last-year = Igual que el mismo periodo del año pasado
compare-length-note =
    Este periodo tiene { $this_days ->
        [one] { $this_days } día
       *[other] { $this_days } días
    } y aquel tuvo { $other_days ->
        [one] { $other_days } día
       *[other] { $other_days } días
    }. Por día: { $this_per_day } frente a { $other_per_day }.
chart-summary =
    { $count ->
        [one] Consumo del último periodo: { $values }
       *[other] Consumo de los últimos { $count } periodos: { $values }
    }
chart-summary-item = { $period }: { $value }

## Line quantities and rates (src/billing/bill.rs)

line-rate-each = { $rate } por unidad
line-rate-per = { $rate } por { $unit }
line-quantity-day =
    { $count ->
        [one] { $quantity } día
       *[other] { $quantity } días
    }
line-rate-per-day = { $rate } por día
line-quantity-night =
    { $count ->
        [one] { $quantity } noche
       *[other] { $quantity } noches
    }
line-rate-per-night = { $rate } por noche
line-quantity-week =
    { $count ->
        [one] { $quantity } semana
       *[other] { $quantity } semanas
    }
line-rate-per-week = { $rate } por semana
line-quantity-month =
    { $count ->
        [one] { $quantity } mes
       *[other] { $quantity } meses
    }
line-rate-per-month = { $rate } por mes
line-quantity-year =
    { $count ->
        [one] { $quantity } año
       *[other] { $quantity } años
    }
line-rate-per-year = { $rate } por año
line-quantity-hour =
    { $count ->
        [one] { $quantity } hora
       *[other] { $quantity } horas
    }
line-rate-per-hour = { $rate } por hora
line-quantity-minute =
    { $count ->
        [one] { $quantity } minuto
       *[other] { $quantity } minutos
    }
line-rate-per-minute = { $rate } por minuto
line-quantity-unit =
    { $count ->
        [one] { $quantity } unidad
       *[other] { $quantity } unidades
    }
line-rate-per-unit = { $rate } por unidad
line-quantity-item =
    { $count ->
        [one] { $quantity } artículo
       *[other] { $quantity } artículos
    }
line-rate-per-item = { $rate } por artículo
# A utility meter (the device), not the length.
line-quantity-meter =
    { $count ->
        [one] { $quantity } contador
       *[other] { $quantity } contadores
    }
line-rate-per-meter = { $rate } por contador
# A phone or service line.
line-quantity-line =
    { $count ->
        [one] { $quantity } línea
       *[other] { $quantity } líneas
    }
line-rate-per-line = { $rate } por línea
line-quantity-device =
    { $count ->
        [one] { $quantity } dispositivo
       *[other] { $quantity } dispositivos
    }
line-rate-per-device = { $rate } por dispositivo
line-quantity-user =
    { $count ->
        [one] { $quantity } usuario
       *[other] { $quantity } usuarios
    }
line-rate-per-user = { $rate } por usuario
# A licensed seat (one user's licence).
line-quantity-seat =
    { $count ->
        [one] { $quantity } licencia
       *[other] { $quantity } licencias
    }
line-rate-per-seat = { $rate } por licencia
line-quantity-visit =
    { $count ->
        [one] { $quantity } visita
       *[other] { $quantity } visitas
    }
line-rate-per-visit = { $rate } por visita
line-quantity-service =
    { $count ->
        [one] { $quantity } servicio
       *[other] { $quantity } servicios
    }
line-rate-per-service = { $rate } por servicio
# A connection to the network (water, gas, power).
line-quantity-connection =
    { $count ->
        [one] { $quantity } acometida
       *[other] { $quantity } acometidas
    }
line-rate-per-connection = { $rate } por acometida
# A waste bin.
line-quantity-bin =
    { $count ->
        [one] { $quantity } contenedor
       *[other] { $quantity } contenedores
    }
line-rate-per-bin = { $rate } por contenedor

## Bill PDF only (src/web/bill_pdf.rs)

pdf-title = Factura { $cycle } de { $brand }, periodo { $period }
pdf-bill-cycle = Factura { $cycle }
pdf-account = Cuenta { $account }
pdf-pay-online = Pague en línea:
pdf-charges-heading = Cargos de este periodo, en { $currency }
pdf-usage-heading = Su consumo por periodo de facturación, en { $unit }
pdf-usage-heading-no-unit = Su consumo por periodo de facturación

## Link email (subject, HTML part and text part)

email-subject-due = Su factura de { $brand } del periodo { $period }: { $amount }, vence el { $due_on }
email-subject-credit = Su factura de { $brand } del periodo { $period }: { $amount } a su favor
email-preheader-due = { $amount }, vence el { $due_on }. Su factura del periodo { $period }.
email-preheader-credit = Tiene saldo a favor: { $amount }. Su factura del periodo { $period }.
email-greeting = Hola, { $name }:
email-heading = Su factura del periodo { $period } está lista
email-text-heading = Su factura de { $brand } del periodo { $period } está lista.
email-credit = Tiene saldo a favor: { $amount }. No tiene nada que pagar; el saldo a favor se descontará de su próxima factura.
email-due = Importe a pagar: { $amount }, a más tardar el { $due_on }.
email-copy-link = Si el botón no funciona, copie este enlace en su navegador:
email-text-view = Vea su factura:
email-expiry = Este enlace funciona hasta el { $expires } y es solo para usted: por favor, no lo reenvíe.
email-support-heading = ¿Tiene preguntas sobre su factura? Atención al cliente de { $brand }:
email-automated = Este es un mensaje automático de { $brand }; las respuestas no se leen.
email-no-password = Nunca le pediremos por correo electrónico que nos envíe una contraseña ni sus datos de pago.

## Text messages (templates/sms/link.txt). GSM-7 only, as short as possible.
## No á, í, ó, ú here: they are outside GSM-7 and would turn the message into UCS-2.

sms-with-brand = { $brand }: { $text }
sms-due = { $amount } vto { $due_on } { $link }
sms-credit = { $amount } a su favor { $link }
sms-short-due = su factura de { $amount } vence el { $due_on }. { $link } Baja: responda STOP
sms-short-credit = tiene un saldo a favor de { $amount }, nada que pagar. { $link } Baja: responda STOP
