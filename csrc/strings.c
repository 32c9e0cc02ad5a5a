/* strings.c - versions, status messages, language tags and interface words.
 *
 * Owns every fixed word a rendering prints (field labels, headings, yes/no,
 * permanence and flag names) in English and Spanish, so that a rendering in
 * one language never shows a word of the other; plus smtpcodes_version(),
 * smtpcodes_strerror(), smtpcodes_status_name() and the language tags. */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Versions, errors, languages                                               */

const char *smtpcodes_version(void) { return SMTPCODES_VERSION; }

const char *smtpcodes_strerror(int status) {
    switch (status) {
    case SMTPCODES_OK: return "success";
    case SMTPCODES_ERR_ARG: return "invalid argument";
    case SMTPCODES_ERR_EMPTY: return "empty input";
    case SMTPCODES_ERR_SYNTAX: return "not an SMTP reply code, enhanced status code or reply";
    case SMTPCODES_ERR_RANGE: return "digits outside the ranges SMTP allows";
    case SMTPCODES_ERR_LANG: return "unknown language (use \"en\" or \"es\")";
    case SMTPCODES_ERR_NO_CODE: return "no reply code or enhanced status code found in the text";
    case SMTPCODES_ERR_INCOMPLETE: return "the reply ends with a continuation line";
    case SMTPCODES_ERR_MIXED: return "the lines of the reply carry different codes";
    case SMTPCODES_ERR_COMMAND: return "unknown SMTP command";
    case SMTPCODES_ERR_TOO_LONG: return "output too long";
    case SMTPCODES_ERR_BARE_LF: return "a line ends in LF without CR (RFC 5321 4.2: lines end in CRLF)";
    case SMTPCODES_ERR_BARE_CR: return "a CR not followed by LF (RFC 5321 4.2: lines end in CRLF)";
    case SMTPCODES_ERR_NUL: return "a NUL byte in the text (RFC 5321 4.2: text is HT and printable ASCII)";
    case SMTPCODES_ERR_CONTROL: return "a control or non-ASCII byte in the text (RFC 5321 4.2: text is HT and printable ASCII)";
    case SMTPCODES_ERR_LINE_LENGTH: return "a line longer than 512 octets with its CRLF (RFC 5321 4.5.3.1.5)";
    case SMTPCODES_ERR_SEPARATOR: return "the reply code is followed by neither a space, \"-\" nor the line end";
    case SMTPCODES_ERR_TRAILING: return "a line after the final line of the reply";
    case SMTPCODES_ERR_NO_LINE_CODE: return "a line of the reply without a reply code";
    case SMTPCODES_ERR_QUERY: return "search query too long (at most 32 words of at most 64 bytes each)";
    default: return "unknown error";
    }
}

const char *smtpcodes_status_name(int status) {
    switch (status) {
    case SMTPCODES_OK: return "ok";
    case SMTPCODES_ERR_ARG: return "arg";
    case SMTPCODES_ERR_EMPTY: return "empty";
    case SMTPCODES_ERR_SYNTAX: return "syntax";
    case SMTPCODES_ERR_RANGE: return "range";
    case SMTPCODES_ERR_LANG: return "lang";
    case SMTPCODES_ERR_NO_CODE: return "no-code";
    case SMTPCODES_ERR_INCOMPLETE: return "incomplete";
    case SMTPCODES_ERR_MIXED: return "mixed";
    case SMTPCODES_ERR_COMMAND: return "command";
    case SMTPCODES_ERR_TOO_LONG: return "too-long";
    case SMTPCODES_ERR_BARE_LF: return "bare-lf";
    case SMTPCODES_ERR_BARE_CR: return "bare-cr";
    case SMTPCODES_ERR_NUL: return "nul";
    case SMTPCODES_ERR_CONTROL: return "control";
    case SMTPCODES_ERR_LINE_LENGTH: return "line-length";
    case SMTPCODES_ERR_SEPARATOR: return "separator";
    case SMTPCODES_ERR_TRAILING: return "trailing";
    case SMTPCODES_ERR_NO_LINE_CODE: return "no-line-code";
    case SMTPCODES_ERR_QUERY: return "query";
    default: return "error";
    }
}

smtpcodes_status smtpcodes_lang_from_tag(const char *tag, size_t len, smtpcodes_lang *out) {
    if (!tag || !out) return SMTPCODES_ERR_ARG;
    if (len >= 2 && (len == 2 || tag[2] == '-' || tag[2] == '_')) {
        int a = sc_lower((unsigned char)tag[0]), b = sc_lower((unsigned char)tag[1]);
        if (a == 'e' && b == 'n') { *out = SMTPCODES_EN; return SMTPCODES_OK; }
        if (a == 'e' && b == 's') { *out = SMTPCODES_ES; return SMTPCODES_OK; }
    }
    return SMTPCODES_ERR_LANG;
}

const char *smtpcodes_lang_tag(smtpcodes_lang lang) {
    switch (lang) {
    case SMTPCODES_EN: return "en";
    case SMTPCODES_ES: return "es";
    default: return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Interface strings                                                          */

const char *const sc_ui[UI_COUNT][SMTPCODES_NLANG] = {
    [UI_DESCRIPTION] = {"Description", "Descripci\303\263n"},
    [UI_WHEN] = {"When you'll see it", "Cu\303\241ndo lo ver\303\241s"},
    [UI_FIX] = {"How to fix it", "C\303\263mo solucionarlo"},
    [UI_CLASS] = {"Class", "Clase"},
    [UI_CATEGORY] = {"Category", "Categor\303\255a"},
    [UI_SUBJECT] = {"Subject", "Asunto"},
    [UI_STATUS] = {"Status", "Estado"},
    [UI_REFERENCES] = {"References", "Referencias"},
    [UI_COMMANDS] = {"Returned by", "Lo devuelven"},
    [UI_RELATED] = {"Related", "Relacionados"},
    [UI_STANDARD] = {"standard", "est\303\241ndar"},
    [UI_NONSTANDARD] = {"non-standard", "no est\303\241ndar"},
    [UI_VENDOR] = {"vendor-specific", "propio de un proveedor"},
    [UI_DEPRECATED] = {"deprecated", "obsoleto"},
    [UI_UNKNOWN] = {"not in the knowledge base: explained from its digits",
                    "no figura en la base de conocimiento: se explica a partir de sus d\303\255gitos"},
    [UI_ANY_CLASS] = {"any class (2, 4 or 5)", "cualquier clase (2, 4 o 5)"},
    [UI_REPLY] = {"Reply", "Respuesta"},
    [UI_FLAGS] = {"Flags", "Indicadores"},
    [UI_TEXT] = {"Text", "Texto"},
    [UI_NONE] = {"none", "ninguno"},
    [UI_ALSO_VENDOR] = {"Also used with another meaning by", "Tambi\303\251n lo usa con otro significado"},
    [UI_KEY_DIFF] = {"Key differences", "Diferencias clave"},
    [UI_WHEN_USE] = {"When to use each", "Cu\303\241ndo usar cada uno"},
    [UI_BASIC_KIND] = {"basic reply code", "c\303\263digo de respuesta b\303\241sico"},
    [UI_ENH_KIND] = {"enhanced status code", "c\303\263digo de estado extendido"},
    [UI_RETRY_SUCCESS] = {"nothing to retry: the command succeeded",
                          "no hay nada que reintentar: el comando tuvo \303\251xito"},
    [UI_RETRY_INTER] = {"no retry: the client continues the dialogue",
                        "no se reintenta: el cliente contin\303\272a el di\303\241logo"},
    [UI_RETRY_TEMP] = {"retry later: the condition is temporary",
                       "reintentar m\303\241s tarde: la condici\303\263n es temporal"},
    [UI_RETRY_PERM] = {"do not retry unchanged: it will fail again",
                       "no reintentar sin cambios: volver\303\241 a fallar"},
    [UI_RETRY_UNKNOWN] = {"depends on the class it is sent with",
                          "depende de la clase con la que se env\303\255e"},
    [UI_PERMANENCE] = {"Permanence", "Permanencia"},
    [UI_RETRY] = {"Retry", "Reintento"},
    [UI_KIND] = {"Kind", "Tipo"},
    [UI_NO_COMMANDS] = {"no command listed", "ning\303\272n comando registrado"},
    [UI_RANGE_NOTE] = {"part of the vendor range", "parte del rango del proveedor"},
    [UI_CLASSIFICATION] = {"Classification", "Clasificaci\303\263n"},
    [UI_REASON] = {"Reason", "Motivo"},
    [UI_HARD_BOUNCE] = {"Hard bounce", "Rebote permanente"},
    [UI_EVIDENCE] = {"Evidence", "Indicios"},
    [UI_PROVIDER] = {"Provider", "Proveedor"},
    [UI_CODE] = {"Code", "C\303\263digo"},
    [UI_ENHANCED] = {"Enhanced code", "C\303\263digo extendido"},
    [UI_YES] = {"yes", "s\303\255"},
    [UI_NO] = {"no", "no"},
    [UI_WHAT_TO_DO] = {"What to do", "Qu\303\251 hacer"},
    [UI_ASPECT] = {"Aspect", "Aspecto"},
    [UI_BOTH] = {"Both", "Ambos"},
    [UI_SHARED] = {"shared", "compartido"},
    [UI_LINES] = {"Lines", "L\303\255neas"},
    [UI_ERROR] = {"Error", "Error"},
    [UI_CODES] = {"Codes", "C\303\263digos"},
    /* log records (log.c) */
    [UI_LOG_RECORD] = {"Log record", "Registro de correo"},
    [UI_LOG_DELIVERY] = {"delivery", "entrega"},
    [UI_LOG_OTHER] = {"not a delivery record", "no es un registro de entrega"},
    [UI_LOG_NOT_DELIVERY] = {"This line does not report a delivery attempt, so there is no outcome to classify "
                             "and nothing to retry.",
                             "Esta l\303\255nea no informa de un intento de entrega: no hay ning\303\272n resultado "
                             "que clasificar ni nada que reintentar."},
    [UI_LOG_MTA] = {"MTA", "MTA"},
    [UI_LOG_QUEUE_ID] = {"Queue ID", "ID de cola"},
    [UI_LOG_RECIPIENT] = {"Recipient", "Destinatario"},
    [UI_LOG_ORIG_RECIPIENT] = {"Original recipient", "Destinatario original"},
    [UI_LOG_SENDER] = {"Sender", "Remitente"},
    [UI_LOG_RELAY] = {"Relay", "Relay"},
    [UI_LOG_DELAY] = {"Delay", "Retraso"},
    [UI_LOG_DSN] = {"DSN", "DSN"},
    [UI_LOG_STAGE] = {"SMTP stage", "Etapa SMTP"},
    [UI_LOG_DIAGNOSTIC] = {"MTA text", "Texto del MTA"},
    [UI_LOG_TIME] = {"Time", "Fecha y hora"},
    [UI_LOG_HOST] = {"Host", "Host"},
    [UI_LOG_PROGRAM] = {"Program", "Programa"},
    [UI_LOG_SENT] = {"sent", "entregado"},
    [UI_LOG_DEFERRED] = {"deferred", "aplazado"},
    [UI_LOG_BOUNCED] = {"bounced", "rebotado"},
    [UI_LOG_EXPIRED] = {"expired", "caducado"},
    [UI_LOG_STATUS_OTHER] = {"other", "otro"},
    [UI_LOG_QUEUE_RETRIES] = {"The message is still in the queue: the MTA deferred it and will try again.",
                              "El mensaje sigue en la cola: el MTA lo aplaz\303\263 y volver\303\241 a intentarlo."},
    [UI_LOG_QUEUE_GAVE_UP] = {"The queue gave up: the message stayed undeliverable for too long and was "
                              "returned to the sender; it will not be retried.",
                              "La cola se dio por vencida: el mensaje no se pudo entregar durante demasiado tiempo "
                              "y se devolvi\303\263 al remitente; no se volver\303\241 a intentar."},
    [UI_LOG_DELIVERED_NOTE] = {"The next hop accepted the message.", "El siguiente salto acept\303\263 el mensaje."},
    [UI_LOG_BOUNCED_NOTE] = {"The MTA gave up on this recipient and returned the message to the sender.",
                             "El MTA renunci\303\263 a este destinatario y devolvi\303\263 el mensaje al remitente."},
    /* bounce messages (bounce.c) */
    [UI_BOUNCE] = {"Bounce message", "Mensaje de rebote"},
    [UI_BOUNCE_FORMAT] = {"Format", "Formato"},
    [UI_BOUNCE_REPORTING_MTA] = {"Reporting MTA", "MTA que informa"},
    [UI_BOUNCE_ARRIVAL] = {"Arrival date", "Fecha de llegada"},
    [UI_BOUNCE_ORIGINAL] = {"Original message", "Mensaje original"},
    [UI_BOUNCE_MESSAGE_ID] = {"Message-ID", "Message-ID"},
    [UI_BOUNCE_FROM] = {"From", "De"},
    [UI_BOUNCE_TO] = {"To", "Para"},
    [UI_BOUNCE_SUBJECT] = {"Subject", "Asunto"},
    [UI_BOUNCE_DATE] = {"Date", "Fecha"},
    [UI_BOUNCE_FEEDBACK_TYPE] = {"Feedback type", "Tipo de queja"},
    [UI_BOUNCE_SOURCE_IP] = {"Source IP", "IP de origen"},
    [UI_BOUNCE_RECIPIENTS] = {"Recipients", "Destinatarios"},
    [UI_BOUNCE_RECIPIENT] = {"Recipient", "Destinatario"},
    [UI_BOUNCE_ORIG_RECIPIENT] = {"Original recipient", "Destinatario original"},
    [UI_BOUNCE_ACTION] = {"Action", "Acci\303\263n"},
    [UI_BOUNCE_STATUS] = {"Status", "Estado"},
    [UI_BOUNCE_DIAGNOSTIC] = {"Diagnostic", "Diagn\303\263stico"},
    [UI_BOUNCE_REMOTE_MTA] = {"Remote MTA", "MTA remoto"},
    [UI_BOUNCE_STAGE] = {"SMTP stage", "Etapa SMTP"},
    [UI_BOUNCE_LAST_ATTEMPT] = {"Last attempt", "\303\232ltimo intento"},
    [UI_BOUNCE_RETRY_UNTIL] = {"Retried until", "Se reintenta hasta"},
    [UI_BOUNCE_TRUNCATED] = {"A limit cut the reading of this message; some of it was not read.",
                             "Un l\303\255mite cort\303\263 la lectura de este mensaje; una parte no se ley\303\263."},
    [UI_BOUNCE_NO_RECIPIENTS] = {"No recipient is reported in this message.",
                                 "Este mensaje no informa de ning\303\272n destinatario."},
    [UI_BOUNCE_K_OTHER] = {"not a report", "no es un informe"},
    [UI_BOUNCE_K_BOUNCE] = {"bounce (delivery failed)", "rebote (la entrega fall\303\263)"},
    [UI_BOUNCE_K_DELAY] = {"delay notice (not failed yet)", "aviso de retraso (a\303\272n no ha fallado)"},
    [UI_BOUNCE_K_FEEDBACK] = {"feedback report (ARF)", "informe de queja (ARF)"},
    [UI_BOUNCE_K_AUTOREPLY] = {"auto-reply", "respuesta autom\303\241tica"},
    [UI_BOUNCE_K_DELIVERED] = {"delivery notice (delivered)", "aviso de entrega (entregado)"},
    [UI_BOUNCE_A_FAILED] = {"failed", "fallida"},
    [UI_BOUNCE_A_DELAYED] = {"delayed", "retrasada"},
    [UI_BOUNCE_A_DELIVERED] = {"delivered", "entregada"},
    [UI_BOUNCE_A_RELAYED] = {"relayed", "pasada a un relay"},
    [UI_BOUNCE_A_EXPANDED] = {"expanded", "expandida"},
};

static const char *const perm_names[5] = {"unknown", "success", "intermediate", "temporary", "permanent"};
const char *const sc_perm_local[5][SMTPCODES_NLANG] = {
    {"unknown", "desconocida"},
    {"success", "\303\251xito"},
    {"intermediate", "intermedia"},
    {"temporary", "temporal"},
    {"permanent", "permanente"},
};

const char *const sc_flag_names[SMTPCODES_NFLAGS] = {
    "class-mismatch", "mixed-codes", "non-standard", "not-utf8", "bare-code", "multiline",
    "incomplete", "truncated", "embedded", "enhanced-only", "control-chars", "long-line",
    "unknown-code",
};

const char *smtpcodes_permanence_name(smtpcodes_permanence p) {
    return ((unsigned)p < 5u) ? perm_names[p] : NULL;
}

/* How a rendering names each reply flag: English keeps the API's flag names,
 * Spanish says what the flag means. */
const char *const sc_flag_local[SMTPCODES_NFLAGS][SMTPCODES_NLANG] = {
    {"class-mismatch", "la clase del c\303\263digo extendido no coincide con la del b\303\241sico"},
    {"mixed-codes", "las l\303\255neas llevan c\303\263digos distintos"},
    {"non-standard", "c\303\263digo b\303\241sico no est\303\241ndar"},
    {"not-utf8", "texto que no es UTF-8 v\303\241lido"},
    {"bare-code", "c\303\263digo sin texto"},
    {"multiline", "respuesta de varias l\303\255neas"},
    {"incomplete", "la \303\272ltima l\303\255nea anuncia una continuaci\303\263n"},
    {"truncated", "demasiadas l\303\255neas: se guardaron las primeras"},
    {"embedded", "c\303\263digo hallado dentro de una l\303\255nea de registro"},
    {"enhanced-only", "solo c\303\263digo extendido, sin c\303\263digo b\303\241sico"},
    {"control-chars", "caracteres de control en el texto"},
    {"long-line", "l\303\255nea de m\303\241s de 512 octetos"},
    {"unknown-code", "c\303\263digo que no figura en la base de conocimiento"},
};

const char *smtpcodes_flag_name(size_t i) { return i < SMTPCODES_NFLAGS ? sc_flag_names[i] : NULL; }
