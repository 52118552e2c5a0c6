// The multi-language dictionary of column names that suggest personal data, and name normalization.
#include "pii_dictionary.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

namespace understudy::anonymizer {
namespace {

/// How sure a dictionary word is on its own. A strong word (`email`, `telefon`) names PII wherever
/// it stands unless a qualifier follows (`email_verified`); a weak one (`tel`, `mobile`, `via`,
/// `login`) is common in other senses, so only words like `number` or `address` may follow it; an
/// `alone` word (`via`, `rue`, `pan`, `nif`) must also start the name: `sent_via` is no street.
enum class Strength { strong, weak, alone };

struct Entry {
    std::string_view word;   ///< the words joined without separators: `first_name` is `firstname`
    PiiKind kind;
    Strength strength;
    bool bare_name = false;  ///< `name`, `nom`, `nombre`, `nome`, `naam`: a person's name only in context
};

// Words are written folded (no accents) and joined; `e_mail`, `eMail` and `email` all join to `email`.
// English, German, French, Spanish, Italian, Dutch and Portuguese. One-letter strengths keep the table readable.
constexpr Strength s = Strength::strong;
constexpr Strength w = Strength::weak;
constexpr Strength a = Strength::alone;
const Entry k_entries[] = {
    // email
    {"email", PiiKind::email, s}, {"emailaddress", PiiKind::email, s}, {"mail", PiiKind::email, w},
    {"courriel", PiiKind::email, s}, {"correo", PiiKind::email, s}, {"correoelectronico", PiiKind::email, s},
    {"mailadres", PiiKind::email, s}, {"emailadres", PiiKind::email, s}, {"adressemail", PiiKind::email, s},
    {"adresseemail", PiiKind::email, s}, {"posta", PiiKind::email, a}, {"postaelettronica", PiiKind::email, s},
    // phone
    {"phone", PiiKind::phone, s}, {"telephone", PiiKind::phone, s}, {"telefon", PiiKind::phone, s},
    {"telefono", PiiKind::phone, s}, {"telefone", PiiKind::phone, s}, {"telefoon", PiiKind::phone, s},
    {"tel", PiiKind::phone, w}, {"mobile", PiiKind::phone, w}, {"mobil", PiiKind::phone, w},
    {"handy", PiiKind::phone, w}, {"cellulare", PiiKind::phone, s}, {"celular", PiiKind::phone, s},
    {"cell", PiiKind::phone, a}, {"cellphone", PiiKind::phone, s}, {"portable", PiiKind::phone, a},
    {"movil", PiiKind::phone, w}, {"gsm", PiiKind::phone, a}, {"fax", PiiKind::phone, w},
    {"msisdn", PiiKind::phone, s}, {"mobiel", PiiKind::phone, w}, {"telemovel", PiiKind::phone, s},
    // first names
    {"firstname", PiiKind::first_name, s}, {"givenname", PiiKind::first_name, s},
    {"forename", PiiKind::first_name, s}, {"middlename", PiiKind::first_name, s},
    {"vorname", PiiKind::first_name, s}, {"prenom", PiiKind::first_name, s},
    {"nombre", PiiKind::first_name, w, true}, {"nome", PiiKind::first_name, w, true},
    {"voornaam", PiiKind::first_name, s}, {"primeironome", PiiKind::first_name, s},
    // last names
    {"lastname", PiiKind::last_name, s}, {"surname", PiiKind::last_name, s},
    {"familyname", PiiKind::last_name, s}, {"maidenname", PiiKind::last_name, s},
    {"nachname", PiiKind::last_name, s}, {"familienname", PiiKind::last_name, s},
    {"nom", PiiKind::last_name, w, true}, {"nomdefamille", PiiKind::last_name, s},
    {"nomfamille", PiiKind::last_name, s}, {"apellido", PiiKind::last_name, s},
    {"apellidos", PiiKind::last_name, s}, {"cognome", PiiKind::last_name, s},
    {"achternaam", PiiKind::last_name, s}, {"sobrenome", PiiKind::last_name, s},
    {"apelido", PiiKind::last_name, s},
    // whole names
    {"name", PiiKind::full_name, w, true}, {"naam", PiiKind::full_name, w, true},
    {"fullname", PiiKind::full_name, s}, {"displayname", PiiKind::full_name, s},
    {"nombrecompleto", PiiKind::full_name, s}, {"nomcomplet", PiiKind::full_name, s},
    {"nomecompleto", PiiKind::full_name, s}, {"vollstandigername", PiiKind::full_name, s},
    {"volledigenaam", PiiKind::full_name, s},
    // user names
    {"username", PiiKind::username, s}, {"login", PiiKind::username, w}, {"loginname", PiiKind::username, s},
    {"benutzername", PiiKind::username, s}, {"nomutilisateur", PiiKind::username, s},
    {"nombreusuario", PiiKind::username, s}, {"nomeutente", PiiKind::username, s},
    {"gebruikersnaam", PiiKind::username, s}, {"nomedeusuario", PiiKind::username, s},
    {"nickname", PiiKind::username, s}, {"nick", PiiKind::username, a}, {"screenname", PiiKind::username, s},
    {"handle", PiiKind::username, a},
    // companies
    {"company", PiiKind::company, s}, {"companyname", PiiKind::company, s}, {"firma", PiiKind::company, w},
    {"firmenname", PiiKind::company, s}, {"unternehmen", PiiKind::company, s}, {"societe", PiiKind::company, s},
    {"entreprise", PiiKind::company, s}, {"empresa", PiiKind::company, s}, {"azienda", PiiKind::company, s},
    {"bedrijf", PiiKind::company, s}, {"bedrijfsnaam", PiiKind::company, s}, {"employer", PiiKind::company, s},
    {"arbeitgeber", PiiKind::company, s},
    // streets and addresses
    {"street", PiiKind::street, s}, {"streetaddress", PiiKind::street, s}, {"strasse", PiiKind::street, s},
    {"rue", PiiKind::street, a}, {"calle", PiiKind::street, s}, {"via", PiiKind::street, a},
    {"straat", PiiKind::street, s}, {"rua", PiiKind::street, a}, {"logradouro", PiiKind::street, s},
    {"address", PiiKind::address, s}, {"addr", PiiKind::address, w}, {"adresse", PiiKind::address, s},
    {"anschrift", PiiKind::address, s}, {"direccion", PiiKind::address, s}, {"domicilio", PiiKind::address, s},
    {"indirizzo", PiiKind::address, s}, {"adres", PiiKind::address, s}, {"endereco", PiiKind::address, s},
    {"morada", PiiKind::address, s}, {"wohnadresse", PiiKind::address, s},
    // cities
    {"city", PiiKind::city, s}, {"town", PiiKind::city, s}, {"stadt", PiiKind::city, s}, {"ort", PiiKind::city, a},
    {"wohnort", PiiKind::city, s}, {"ville", PiiKind::city, s}, {"ciudad", PiiKind::city, s},
    {"localidad", PiiKind::city, s}, {"citta", PiiKind::city, s}, {"localita", PiiKind::city, s},
    {"comune", PiiKind::city, a}, {"plaats", PiiKind::city, a}, {"woonplaats", PiiKind::city, s},
    {"cidade", PiiKind::city, s},
    // postcodes
    {"postcode", PiiKind::postcode, s}, {"postalcode", PiiKind::postcode, s}, {"zip", PiiKind::postcode, w},
    {"zipcode", PiiKind::postcode, s}, {"postleitzahl", PiiKind::postcode, s}, {"plz", PiiKind::postcode, w},
    {"codepostal", PiiKind::postcode, s}, {"codigopostal", PiiKind::postcode, s},
    {"codicepostale", PiiKind::postcode, s}, {"cep", PiiKind::postcode, a},
    // birth dates
    {"birth", PiiKind::birth_date, s}, {"birthday", PiiKind::birth_date, s}, {"birthdate", PiiKind::birth_date, s},
    {"dateofbirth", PiiKind::birth_date, s}, {"dob", PiiKind::birth_date, w},
    {"geburtsdatum", PiiKind::birth_date, s}, {"geburtstag", PiiKind::birth_date, s},
    {"naissance", PiiKind::birth_date, s}, {"datenaissance", PiiKind::birth_date, s},
    {"datedenaissance", PiiKind::birth_date, s}, {"nacimiento", PiiKind::birth_date, s},
    {"fechanacimiento", PiiKind::birth_date, s}, {"fechadenacimiento", PiiKind::birth_date, s},
    {"nascita", PiiKind::birth_date, s}, {"datanascita", PiiKind::birth_date, s},
    {"datadinascita", PiiKind::birth_date, s}, {"geboortedatum", PiiKind::birth_date, s},
    {"nascimento", PiiKind::birth_date, s}, {"datanascimento", PiiKind::birth_date, s},
    {"datadenascimento", PiiKind::birth_date, s},
    // IP addresses
    {"ip", PiiKind::ip_address, w}, {"ipaddress", PiiKind::ip_address, s}, {"ipaddr", PiiKind::ip_address, s},
    {"ipv4", PiiKind::ip_address, w}, {"ipv6", PiiKind::ip_address, w}, {"ipadresse", PiiKind::ip_address, s},
    {"direccionip", PiiKind::ip_address, s}, {"indirizzoip", PiiKind::ip_address, s},
    {"ipadres", PiiKind::ip_address, s}, {"enderecoip", PiiKind::ip_address, s},
    {"remoteaddr", PiiKind::ip_address, s}, {"remoteaddress", PiiKind::ip_address, s},
    // national ids and tax numbers
    {"ssn", PiiKind::national_id, s}, {"socialsecurity", PiiKind::national_id, s},
    {"socialsecuritynumber", PiiKind::national_id, s}, {"insee", PiiKind::national_id, s},
    {"nir", PiiKind::national_id, a}, {"numerosecuritesociale", PiiKind::national_id, s},
    {"securitesociale", PiiKind::national_id, s}, {"dni", PiiKind::national_id, s},
    {"nif", PiiKind::national_id, a}, {"nie", PiiKind::national_id, a}, {"codicefiscale", PiiKind::national_id, s},
    {"bsn", PiiKind::national_id, a}, {"burgerservicenummer", PiiKind::national_id, s},
    {"cpf", PiiKind::national_id, s}, {"nino", PiiKind::national_id, a},
    {"nationalinsurancenumber", PiiKind::national_id, s}, {"nationalid", PiiKind::national_id, s},
    {"taxid", PiiKind::national_id, s}, {"steuerid", PiiKind::national_id, s},
    {"steuernummer", PiiKind::national_id, s}, {"steueridentifikationsnummer", PiiKind::national_id, s},
    {"sozialversicherungsnummer", PiiKind::national_id, s}, {"passport", PiiKind::national_id, s},
    {"passportnumber", PiiKind::national_id, s}, {"reisepass", PiiKind::national_id, s},
    {"personalausweis", PiiKind::national_id, s}, {"ausweisnummer", PiiKind::national_id, s},
    // bank accounts and cards
    {"iban", PiiKind::iban, s}, {"card", PiiKind::card_number, w}, {"cardnumber", PiiKind::card_number, s},
    {"creditcard", PiiKind::card_number, s}, {"ccnumber", PiiKind::card_number, s},
    {"ccnum", PiiKind::card_number, s}, {"cardno", PiiKind::card_number, s}, {"pan", PiiKind::card_number, a},
    {"kartennummer", PiiKind::card_number, s}, {"kreditkarte", PiiKind::card_number, s},
    {"kreditkartennummer", PiiKind::card_number, s}, {"numerocarte", PiiKind::card_number, s},
    {"cartebancaire", PiiKind::card_number, s}, {"tarjeta", PiiKind::card_number, s},
    {"numerotarjeta", PiiKind::card_number, s}, {"tarjetadecredito", PiiKind::card_number, s},
    {"cartadicredito", PiiKind::card_number, s}, {"numerocarta", PiiKind::card_number, s},
    {"creditcardnummer", PiiKind::card_number, s}, {"kaartnummer", PiiKind::card_number, s},
    {"cartao", PiiKind::card_number, s}, {"numerocartao", PiiKind::card_number, s},
    // passwords
    {"password", PiiKind::password, s}, {"passwd", PiiKind::password, s}, {"pwd", PiiKind::password, w},
    {"passwort", PiiKind::password, s}, {"kennwort", PiiKind::password, s}, {"motdepasse", PiiKind::password, s},
    {"contrasena", PiiKind::password, s}, {"clave", PiiKind::password, a}, {"wachtwoord", PiiKind::password, s},
    {"senha", PiiKind::password, s},
    // secrets and tokens
    {"token", PiiKind::secret, s}, {"secret", PiiKind::secret, s}, {"apikey", PiiKind::secret, s},
    {"accesskey", PiiKind::secret, s}, {"secretkey", PiiKind::secret, s}, {"privatekey", PiiKind::secret, s},
    {"salt", PiiKind::secret, w},
    // device identifiers
    {"macaddress", PiiKind::device_id, s}, {"macaddr", PiiKind::device_id, s}, {"imei", PiiKind::device_id, s},
    // free text
    {"notes", PiiKind::free_text, s}, {"note", PiiKind::free_text, s}, {"comment", PiiKind::free_text, s},
    {"comments", PiiKind::free_text, s}, {"bio", PiiKind::free_text, w}, {"biography", PiiKind::free_text, s},
    {"description", PiiKind::free_text, s}, {"remarks", PiiKind::free_text, s}, {"remark", PiiKind::free_text, s},
    {"memo", PiiKind::free_text, s}, {"aboutme", PiiKind::free_text, s}, {"notiz", PiiKind::free_text, s},
    {"notizen", PiiKind::free_text, s}, {"bemerkung", PiiKind::free_text, s},
    {"bemerkungen", PiiKind::free_text, s}, {"kommentar", PiiKind::free_text, s},
    {"anmerkung", PiiKind::free_text, s}, {"beschreibung", PiiKind::free_text, s},
    {"remarque", PiiKind::free_text, s}, {"remarques", PiiKind::free_text, s},
    {"commentaire", PiiKind::free_text, s}, {"commentaires", PiiKind::free_text, s},
    {"descripcion", PiiKind::free_text, s}, {"comentario", PiiKind::free_text, s},
    {"comentarios", PiiKind::free_text, s}, {"observaciones", PiiKind::free_text, s},
    {"nota", PiiKind::free_text, a}, {"commento", PiiKind::free_text, s}, {"descrizione", PiiKind::free_text, s},
    {"opmerking", PiiKind::free_text, s}, {"opmerkingen", PiiKind::free_text, s},
    {"beschrijving", PiiKind::free_text, s}, {"observacao", PiiKind::free_text, s},
    {"observacoes", PiiKind::free_text, s}, {"descricao", PiiKind::free_text, s},
};

// Words after a match that make the column about the data rather than the data itself:
// `email_verified`, `phone_count`, `email_id`, `phone_country_code`, `password_changed_at`.
const std::set<std::string, std::less<>> k_qualifiers = {
    "id", "ids", "uuid", "guid", "count", "counts", "cnt", "at", "on", "date", "time", "timestamp", "ts",
    "verified", "verification", "confirmed", "enabled", "disabled", "valid", "validated", "invalid",
    "bounced", "bounce", "bounces", "opt", "optin", "optout", "consent", "subscribed", "unsubscribed",
    "status", "state", "type", "types", "kind", "format", "flag", "flags", "sent", "required", "visible",
    "visibility", "public", "hidden", "preference", "preferences", "pref", "prefs", "notification",
    "notifications", "notify", "length", "len", "size", "max", "min", "index", "idx", "version", "platform",
    "country", "code", "region", "domain", "provider", "template", "changed", "updated", "created", "deleted",
    "expires", "expired", "expiry", "exp", "expiration", "last4", "attempts", "attempt", "tries", "failed",
    "failures", "strength", "policy", "hint", "locale", "language", "lang", "label", "prefix", "suffix",
    "brand", "month", "year", "mode", "source", "method", "channel", "category", "level", "score", "rating",
};

// Words before a match that make the column a count or a switch: `num_emails`, `has_phone`.
const std::set<std::string, std::less<>> k_prefix_qualifiers = {
    "num", "nb", "nbr", "count", "cnt", "total", "has", "is", "n", "max", "min", "allow", "allows", "show",
    "hide", "use", "uses", "require", "requires",
};

// Words that may follow a weak match (or end a compound like `telefonnummer`) without changing its sense.
const std::set<std::string, std::less<>> k_tails = {
    "number", "numbers", "no", "nr", "num", "nummer", "numero", "address", "addr", "adresse", "adres",
    "addresse", "direccion", "indirizzo", "endereco", "line", "line1", "line2", "line3", "hash", "digest",
    "encrypted", "enc", "crypted", "ciphertext", "full", "primary", "secondary", "home", "work", "private",
    "personal", "raw", "normalized", "normalised", "value", "plain", "original", "e164", "formatted",
    "canonical", "str", "string", "text", "txt", "datum",
};

// Words before a bare `name` that make it a person's: `contact_name`, `billing_name`, `kunden_name`.
const std::set<std::string, std::less<>> k_person_words = {
    "full", "display", "real", "legal", "contact", "customer", "client", "patient", "owner", "holder",
    "cardholder", "account", "billing", "shipping", "delivery", "recipient", "sender", "person", "member",
    "employee", "author", "guardian", "parent", "spouse", "emergency", "kunden", "kunde", "kontakt", "inhaber",
    "empfanger", "absender", "mitarbeiter", "destinataire", "titulaire", "expediteur", "contacto", "titular",
    "destinatario", "remitente", "cliente", "mittente", "intestatario", "klant", "ontvanger", "afzender",
    "eigenaar", "contactpersoon", "pessoa", "mother", "father", "user", "student", "driver", "guest",
};

// Table words whose rows are people (singular; plurals are tried by stripping `s`, `es`, `en`, `n`).
const std::set<std::string, std::less<>> k_person_tables = {
    "user", "customer", "person", "people", "member", "employee", "contact", "client", "patient", "author",
    "account", "profile", "staff", "student", "teacher", "driver", "guest", "owner", "subscriber",
    "applicant", "candidate", "admin", "administrator", "recipient", "lead", "passenger", "traveler",
    "traveller", "buyer", "seller", "participant", "attendee", "volunteer", "donor", "resident", "contributor",
    "kunde", "personen", "mitglied", "mitglieder", "mitarbeiter", "benutzer", "nutzer", "schuler", "kontakt",
    "kontakte", "utilisateur", "personne", "membre", "employe", "eleve", "usuario", "persona", "miembro",
    "empleado", "contacto", "paciente", "alumno", "utente", "utenti", "cliente", "clienti", "persone",
    "dipendente", "dipendenti", "socio", "soci", "contatto", "contatti", "paziente", "pazienti", "gebruiker",
    "klant", "persoon", "lid", "leden", "medewerker", "werknemer", "pessoa", "utilizador", "funcionario",
    "aluno",
};

/// Higher wins when several words of one name match: `reset_password_token` is a token,
/// `email_address` an email, `company_name` a company, `address_city` a city.
int priority(PiiKind kind) {
    switch (kind) {
        case PiiKind::secret: return 100;
        case PiiKind::device_id: return 97;
        case PiiKind::email: return 95;
        case PiiKind::ip_address: return 90;
        case PiiKind::iban: return 88;
        case PiiKind::card_number: return 87;
        case PiiKind::national_id: return 86;
        case PiiKind::password: return 85;
        case PiiKind::birth_date: return 80;
        case PiiKind::phone: return 75;
        case PiiKind::username: return 70;
        case PiiKind::first_name: return 65;
        case PiiKind::last_name: return 65;
        case PiiKind::company: return 55;
        case PiiKind::full_name: return 52;
        case PiiKind::postcode: return 50;
        case PiiKind::city: return 50;
        case PiiKind::street: return 48;
        case PiiKind::address: return 45;
        case PiiKind::free_text: return 30;
    }
    return 0;
}

const std::map<std::string, const Entry*, std::less<>>& dictionary() {
    static const std::map<std::string, const Entry*, std::less<>> map = [] {
        std::map<std::string, const Entry*, std::less<>> result;
        for (const Entry& entry : k_entries) result.emplace(std::string(entry.word), &entry);
        return result;
    }();
    return map;
}

bool all_digits(std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The entry for one word as written, then without trailing digits (`address1`), then without a plural `s`.
const Entry* find_word(std::string_view word) {
    const auto& map = dictionary();
    if (auto found = map.find(word); found != map.end()) return found->second;
    std::string_view stem = word;
    while (!stem.empty() && stem.back() >= '0' && stem.back() <= '9') stem.remove_suffix(1);
    if (stem.size() >= 2 && stem.size() != word.size()) {
        if (auto found = map.find(stem); found != map.end()) return found->second;
    }
    if (stem.size() >= 3 && stem.back() == 's') {
        stem.remove_suffix(1);
        if (auto found = map.find(stem); found != map.end()) return found->second;
    }
    return nullptr;
}

/// A single word that is a dictionary word followed by a tail word: `telefonnummer`, `emailadresse`.
const Entry* find_compound(std::string_view word) {
    for (std::size_t split = 2; split + 2 <= word.size(); ++split) {
        if (k_tails.count(word.substr(split)) == 0) continue;
        if (const Entry* entry = find_word(word.substr(0, split))) return entry;
    }
    return nullptr;
}

bool is_tail(const std::string& word) { return k_tails.count(word) > 0 || all_digits(word); }

struct Candidate {
    NameMatch match;
    int priority;
    std::size_t span;
};

/// Whether the words around a match leave it meaning the data itself.
std::optional<NameMatch> judge(const std::vector<std::string>& words, std::size_t first, std::size_t last,
                               const Entry& entry) {
    for (std::size_t word_idx = last + 1; word_idx < words.size(); ++word_idx) {
        const std::string& word = words[word_idx];
        if (k_qualifiers.count(word) > 0) return std::nullopt;
        if (entry.strength != Strength::strong && !is_tail(word)) return std::nullopt;
    }
    if (entry.strength == Strength::alone && first > 0) return std::nullopt;
    for (std::size_t word_idx = 0; word_idx < first; ++word_idx) {
        if (k_prefix_qualifiers.count(words[word_idx]) > 0) return std::nullopt;
    }
    NameMatch match{entry.kind, false};
    if (entry.bare_name) {
        if (first == 0) {
            match.bare_name = true;
        } else if (k_person_words.count(words[first - 1]) == 0) {
            return std::nullopt;  // `product_name`, `file_name`: not a person
        }
    }
    return match;
}

void append_folded(std::string& out, unsigned char second) {
    // UTF-8 C3 80..BF is U+00C0..U+00FF (Latin-1 letters): fold to ASCII, keeping the case for camelCase.
    static constexpr std::array<const char*, 64> k_latin1 = {
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
        "D", "N", "O", "O", "O", "O", "O", " ", "O", "U", "U", "U", "U", "Y", "TH", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
    };
    out += k_latin1[second - 0x80];
}

}  // namespace

std::string_view pii_kind_label(PiiKind kind) {
    switch (kind) {
        case PiiKind::email: return "an email address";
        case PiiKind::phone: return "a phone number";
        case PiiKind::first_name: return "a first name";
        case PiiKind::last_name: return "a last name";
        case PiiKind::full_name: return "a person's name";
        case PiiKind::username: return "a user name";
        case PiiKind::company: return "a company name";
        case PiiKind::street: return "a street";
        case PiiKind::address: return "a postal address";
        case PiiKind::city: return "a city";
        case PiiKind::postcode: return "a postcode";
        case PiiKind::birth_date: return "a birth date";
        case PiiKind::ip_address: return "an IP address";
        case PiiKind::national_id: return "a national id or tax number";
        case PiiKind::iban: return "an IBAN";
        case PiiKind::card_number: return "a card number";
        case PiiKind::password: return "a password hash";
        case PiiKind::secret: return "a secret or token";
        case PiiKind::device_id: return "a device identifier";
        case PiiKind::free_text: return "free text that may hold personal data";
    }
    return "personal data";
}

std::vector<std::string> normalize_name(std::string_view name) {
    std::string folded;
    folded.reserve(name.size());
    for (std::size_t pos = 0; pos < name.size(); ++pos) {
        auto byte = static_cast<unsigned char>(name[pos]);
        auto next = pos + 1 < name.size() ? static_cast<unsigned char>(name[pos + 1]) : 0;
        if (byte < 0x80) {
            folded += static_cast<char>(byte);
        } else if (byte == 0xC3 && (next & 0xC0) == 0x80) {
            append_folded(folded, next);
            ++pos;
        } else if (byte == 0xC5 && (next == 0x92 || next == 0x93)) {  // Œ œ
            folded += next == 0x92 ? "OE" : "oe";
            ++pos;
        } else {
            folded += ' ';  // other scripts and stray bytes separate words; they match nothing here
        }
    }

    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t pos = 0; pos < folded.size(); ++pos) {
        char c = folded[pos];
        if (!is_upper(c) && !is_lower(c) && !is_digit(c)) {
            flush();
            continue;
        }
        if (is_upper(c) && !word.empty()) {
            char previous = folded[pos - 1];
            bool next_lower = pos + 1 < folded.size() && is_lower(folded[pos + 1]);
            // `lastName` splits before N; `IPAddress` splits before the A that starts `Address`.
            if (is_lower(previous) || is_digit(previous) || (is_upper(previous) && next_lower)) flush();
        }
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    flush();
    return words;
}

std::optional<NameMatch> match_name(std::string_view name) {
    std::vector<std::string> words = normalize_name(name);
    std::optional<Candidate> best;
    constexpr std::size_t k_max_span = 5;  // `numero_de_securite_sociale` and the like
    for (std::size_t first = 0; first < words.size(); ++first) {
        std::string joined;
        for (std::size_t last = first; last < words.size() && last < first + k_max_span; ++last) {
            joined += words[last];
            const Entry* entry = find_word(joined);
            if (entry == nullptr && last == first) entry = find_compound(joined);
            if (entry == nullptr) continue;
            std::optional<NameMatch> match = judge(words, first, last, *entry);
            if (!match) continue;
            Candidate candidate{*match, priority(entry->kind), last - first + 1};
            if (!best || candidate.priority > best->priority ||
                (candidate.priority == best->priority && candidate.span > best->span)) {
                best = candidate;
            }
        }
    }
    if (!best) return std::nullopt;
    return best->match;
}

bool is_person_table(std::string_view table) {
    if (auto dot = table.rfind('.'); dot != std::string_view::npos) table.remove_prefix(dot + 1);
    // The last word says what a row is: `admin_users` are people, `user_events` are events.
    std::vector<std::string> words = normalize_name(table);
    if (words.empty()) return false;
    const std::string& word = words.back();
    if (k_person_tables.count(word) > 0) return true;
    for (std::string_view plural : {"s", "es", "en", "n"}) {
        if (word.size() > plural.size() + 2 && word.compare(word.size() - plural.size(), plural.size(), plural) == 0 &&
            k_person_tables.count(std::string_view(word).substr(0, word.size() - plural.size())) > 0) {
            return true;
        }
    }
    return false;
}

}  // namespace understudy::anonymizer
