// Unit tests for PII detection: column names in seven languages, false positives, type fit, value
// sniffers with valid and bad-checksum values, the sampling threshold, and the starter config.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../../../anonymizer/src/pii_dictionary.hpp"
#include "../../../anonymizer/src/value_sniffers.hpp"
#include "understudy/anonymizer/coverage.hpp"
#include "understudy/anonymizer/pii_detection.hpp"
#include "understudy/anonymizer/rules.hpp"

namespace understudy::anonymizer {
namespace {

ColumnShape text_column(const std::string& name) { return {name, "text", "S", false, false}; }
ColumnShape column_of(const std::string& name, const std::string& type, const std::string& category,
                      bool unique = false, bool not_null = false) {
    return {name, type, category, unique, not_null};
}

std::string rule_for_name(const ColumnShape& column) {
    auto suggestion = suggest_by_name(column);
    return suggestion ? suggestion->rule : "<none>";
}
std::string rule_for_name(const std::string& name) { return rule_for_name(text_column(name)); }

TEST(PiiNames, NormalizesCaseAccentsAndSeparators) {
    EXPECT_EQ(normalize_name("lastSignInIP"), (std::vector<std::string>{"last", "sign", "in", "ip"}));
    EXPECT_EQ(normalize_name("IPAddress"), (std::vector<std::string>{"ip", "address"}));
    EXPECT_EQ(normalize_name("e_mail"), (std::vector<std::string>{"e", "mail"}));
    EXPECT_EQ(normalize_name("Téléphone"), (std::vector<std::string>{"telephone"}));
    EXPECT_EQ(normalize_name("Straße"), (std::vector<std::string>{"strasse"}));
    EXPECT_EQ(normalize_name("contraseña"), (std::vector<std::string>{"contrasena"}));
    EXPECT_EQ(normalize_name("  address-line 1 "), (std::vector<std::string>{"address", "line", "1"}));
    EXPECT_EQ(normalize_name("address1"), (std::vector<std::string>{"address1"}));
}

TEST(PiiNames, English) {
    EXPECT_EQ(rule_for_name("email"), "{fake: email}");
    EXPECT_EQ(rule_for_name("email_address"), "{fake: email}");
    EXPECT_EQ(rule_for_name("unconfirmed_email"), "{fake: email}");
    EXPECT_EQ(rule_for_name("eMail"), "{fake: email}");
    EXPECT_EQ(rule_for_name("phone_number"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("mobile"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("firstName"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("given_name"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("surname"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("full_name"), "{fake: full_name}");
    EXPECT_EQ(rule_for_name("name"), "{fake: full_name}");
    EXPECT_EQ(rule_for_name("billing_name"), "{fake: full_name}");
    EXPECT_EQ(rule_for_name("username"), "{fake: username}");
    EXPECT_EQ(rule_for_name("login"), "{fake: username}");
    EXPECT_EQ(rule_for_name("company_name"), "{fake: company}");
    EXPECT_EQ(rule_for_name("street_address"), "{fake: street}");
    EXPECT_EQ(rule_for_name("address_line_1"), "{fake: street}");
    EXPECT_EQ(rule_for_name("address2"), "{fake: street}");
    EXPECT_EQ(rule_for_name("address_city"), "{fake: city}");
    EXPECT_EQ(rule_for_name("zip_code"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("postal_code"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("last_sign_in_ip"), "{fake: ipv4}");
    EXPECT_EQ(rule_for_name("ip_address"), "{fake: ipv4}");
    EXPECT_EQ(rule_for_name("remote_addr"), "{fake: ipv4}");
    EXPECT_EQ(rule_for_name("ssn"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("iban"), "{fake: iban}");
    EXPECT_EQ(rule_for_name("credit_card_number"), "{fake: credit_card}");
    EXPECT_EQ(rule_for_name("cc_number"), "{fake: credit_card}");
    EXPECT_EQ(rule_for_name("reset_password_token"), "{hash: hex}");
    EXPECT_EQ(rule_for_name("api_key"), "{hash: hex}");
    EXPECT_EQ(rule_for_name("otp_secret"), "{hash: hex}");
    EXPECT_EQ(rule_for_name("password_salt"), "{hash: hex}");
    EXPECT_EQ(rule_for_name("mac_address"), "{hash: hex}");
    EXPECT_EQ(rule_for_name("notes"), "null");
    EXPECT_EQ(rule_for_name("bio"), "null");
    EXPECT_EQ(rule_for_name("comments"), "null");
}

TEST(PiiNames, German) {
    EXPECT_EQ(rule_for_name("E-Mail-Adresse"), "{fake: email}");
    EXPECT_EQ(rule_for_name("emailadresse"), "{fake: email}");
    EXPECT_EQ(rule_for_name("telefonnummer"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("handy"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("vorname"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("nachname"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("straße"), "{fake: street}");
    EXPECT_EQ(rule_for_name("stadt"), "{fake: city}");
    EXPECT_EQ(rule_for_name("plz"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("postleitzahl"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("steuernummer"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("benutzername"), "{fake: username}");
    EXPECT_EQ(rule_for_name("bemerkung"), "null");
    EXPECT_EQ(rule_for_name(column_of("geburtsdatum", "date", "D")), "{date_shift: {max: \"365 days\"}}");
    EXPECT_EQ(rule_for_name("passwort").rfind("{fixed: \"$2a$10$", 0), 0u);
}

TEST(PiiNames, French) {
    EXPECT_EQ(rule_for_name("courriel"), "{fake: email}");
    EXPECT_EQ(rule_for_name("téléphone"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("numero_telephone"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("prénom"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("nom"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("nom_de_famille"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("rue"), "{fake: street}");
    EXPECT_EQ(rule_for_name("ville"), "{fake: city}");
    EXPECT_EQ(rule_for_name("code_postal"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("adresse"), "{fake: street}");
    EXPECT_EQ(rule_for_name("insee"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("nir"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("mot_de_passe").rfind("{fixed: ", 0), 0u);
    EXPECT_EQ(rule_for_name(column_of("date_naissance", "date", "D")), "{date_shift: {max: \"365 days\"}}");
}

TEST(PiiNames, Spanish) {
    EXPECT_EQ(rule_for_name("correo"), "{fake: email}");
    EXPECT_EQ(rule_for_name("correo_electronico"), "{fake: email}");
    EXPECT_EQ(rule_for_name("teléfono"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("nombre"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("apellido"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("calle"), "{fake: street}");
    EXPECT_EQ(rule_for_name("dirección"), "{fake: street}");
    EXPECT_EQ(rule_for_name("ciudad"), "{fake: city}");
    EXPECT_EQ(rule_for_name("codigo_postal"), "{fake: postcode}");
    EXPECT_EQ(rule_for_name("dni"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("nif"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("contraseña").rfind("{fixed: ", 0), 0u);
    EXPECT_EQ(rule_for_name(column_of("fecha_nacimiento", "date", "D")), "{date_shift: {max: \"365 days\"}}");
}

TEST(PiiNames, Italian) {
    EXPECT_EQ(rule_for_name("cellulare"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("nome"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("cognome"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("via"), "{fake: street}");
    EXPECT_EQ(rule_for_name("indirizzo"), "{fake: street}");
    EXPECT_EQ(rule_for_name("città"), "{fake: city}");
    EXPECT_EQ(rule_for_name("codice_fiscale"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("nome_utente"), "{fake: username}");
    EXPECT_EQ(rule_for_name(column_of("data_di_nascita", "date", "D")), "{date_shift: {max: \"365 days\"}}");
}

TEST(PiiNames, Dutch) {
    EXPECT_EQ(rule_for_name("telefoon"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("voornaam"), "{fake: first_name}");
    EXPECT_EQ(rule_for_name("achternaam"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("straat"), "{fake: street}");
    EXPECT_EQ(rule_for_name("woonplaats"), "{fake: city}");
    EXPECT_EQ(rule_for_name("bsn"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("gebruikersnaam"), "{fake: username}");
    EXPECT_EQ(rule_for_name("wachtwoord").rfind("{fixed: ", 0), 0u);
    EXPECT_EQ(rule_for_name("opmerkingen"), "null");
}

TEST(PiiNames, Portuguese) {
    EXPECT_EQ(rule_for_name("telefone"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("celular"), "{fake: phone}");
    EXPECT_EQ(rule_for_name("sobrenome"), "{fake: last_name}");
    EXPECT_EQ(rule_for_name("endereço"), "{fake: street}");
    EXPECT_EQ(rule_for_name("cidade"), "{fake: city}");
    EXPECT_EQ(rule_for_name("cpf"), "{mask: {keep_last: 2}}");
    EXPECT_EQ(rule_for_name("senha").rfind("{fixed: ", 0), 0u);
    EXPECT_EQ(rule_for_name(column_of("data_nascimento", "date", "D")), "{date_shift: {max: \"365 days\"}}");
}

TEST(PiiNames, NoFalsePositives) {
    for (const char* name : {"id", "user_id", "email_id", "created_at", "updated_at", "sign_in_count", "email_count",
                             "phone_count", "num_emails", "has_phone", "email_verified", "email_verified_at",
                             "phone_country_code", "phone_confirmed", "last_login_at", "login_count",
                             "password_changed_at", "reset_password_sent_at", "confirmation_sent_at",
                             "token_expires_at", "card_type", "card_last4", "credit_card_expiry", "company_id",
                             "address_id", "address_country", "ip_country", "mobile_platform", "sent_via",
                             "product_name", "file_name", "email_domain", "email_template", "title", "status",
                             "price", "quantity", "country", "zipper", "hotel", "telemetry", "nombre_de_commandes",
                             "notes_count", "description_format"}) {
        EXPECT_FALSE(suggest_by_name(text_column(name))) << name << " gave " << rule_for_name(name);
    }
}

TEST(PiiNames, RuleFitsTheColumnType) {
    // A boolean says nothing about the address itself.
    EXPECT_EQ(rule_for_name(column_of("email", "boolean", "B")), "<none>");
    // An integer phone: no fake fits, so null when the column allows it, nothing otherwise.
    auto integer_phone = suggest_by_name(column_of("phone", "bigint", "N"));
    ASSERT_TRUE(integer_phone);
    EXPECT_EQ(integer_phone->rule, "null");
    EXPECT_EQ(integer_phone->reason, "name \"phone\" looks like a phone number; type bigint fits no fake, so null");
    EXPECT_EQ(rule_for_name(column_of("phone", "bigint", "N", false, true)), "<none>");
    EXPECT_EQ(rule_for_name(column_of("birthday", "timestamp with time zone", "D")),
              "{date_shift: {max: \"365 days\"}}");
    EXPECT_EQ(rule_for_name(column_of("birthday", "text", "S")), "null");
    EXPECT_EQ(rule_for_name(column_of("birthday", "text", "S", false, true)), "{fixed: \"1970-01-01\"}");
    EXPECT_EQ(rule_for_name(column_of("email", "timestamp without time zone", "D")), "<none>");
    EXPECT_EQ(rule_for_name(column_of("current_sign_in_ip", "inet", "I")), "{fake: ipv4}");
    EXPECT_EQ(rule_for_name(column_of("confirmation_token", "uuid", "U")), "{hash: uuid}");
    EXPECT_EQ(rule_for_name(column_of("confirmation_token", "uuid", "U", true)), "{hash: uuid, unique: true}");
    EXPECT_EQ(rule_for_name(column_of("emails", "text[]", "A")), "{array: {fake: email}}");
    EXPECT_EQ(rule_for_name(column_of("phones", "character varying(32)[]", "A")), "{array: {fake: phone}}");
    EXPECT_EQ(rule_for_name(column_of("address", "jsonb", "U")), "null");
    EXPECT_EQ(rule_for_name(column_of("notes", "text", "S", false, true)), "{mask: {keep_last: 0}}");
    EXPECT_EQ(rule_for_name(column_of("email", "citext", "S")), "{fake: email}");
    EXPECT_EQ(rule_for_name(column_of("first_name", "character varying(255)", "")), "{fake: first_name}");
}

TEST(PiiNames, UniqueColumnsGetInjectiveRules) {
    EXPECT_EQ(rule_for_name(column_of("email", "text", "S", true)), "{fake: email, unique: true}");
    EXPECT_EQ(rule_for_name(column_of("username", "text", "S", true)), "{fake: username, unique: true}");
    EXPECT_EQ(rule_for_name(column_of("reset_password_token", "text", "S", true)), "{hash: hex, unique: true}");
    // fake phone has no injective form: the hex hash is one.
    auto phone = suggest_by_name(column_of("phone", "text", "S", true));
    ASSERT_TRUE(phone);
    EXPECT_EQ(phone->rule, "{hash: hex, unique: true}");
    EXPECT_EQ(phone->reason, "name \"phone\" looks like a phone number; unique, so an injective hash");
}

TEST(PiiNames, ReasonNamesTheColumn) {
    auto suggestion = suggest_by_name(text_column("e_mail"));
    ASSERT_TRUE(suggestion);
    EXPECT_EQ(suggestion->reason, "name \"e_mail\" looks like an email address");
}

TEST(PiiNames, PersonTables) {
    EXPECT_TRUE(is_person_table("public.users"));
    EXPECT_TRUE(is_person_table("crm.customer_profiles"));
    EXPECT_TRUE(is_person_table("kunden"));
    EXPECT_TRUE(is_person_table("public.People"));
    EXPECT_TRUE(is_person_table("utilisateurs"));
    EXPECT_TRUE(is_person_table("public.admin_users"));
    EXPECT_FALSE(is_person_table("public.products"));
    EXPECT_FALSE(is_person_table("public.categories"));
    EXPECT_FALSE(is_person_table("public.user_events"));  // the last word says what a row is
}

// Sniffers: a valid value, then the same shape with a bad checksum or an impossible part.

TEST(ValueSniffers, Email) {
    EXPECT_TRUE(looks_like_email("jane.doe@example.com"));
    EXPECT_TRUE(looks_like_email("a+tag@sub.example.co.uk"));
    EXPECT_FALSE(looks_like_email("jane@"));
    EXPECT_FALSE(looks_like_email("@example.com"));
    EXPECT_FALSE(looks_like_email("jane@localhost"));
    EXPECT_FALSE(looks_like_email("jane@@example.com"));
    EXPECT_FALSE(looks_like_email("jane doe@example.com"));
    EXPECT_FALSE(looks_like_email("jane..doe@example.com"));
    EXPECT_FALSE(looks_like_email("jane@example.c0m"));
}

TEST(ValueSniffers, Phone) {
    EXPECT_TRUE(looks_like_phone("+49 30 1234567"));
    EXPECT_TRUE(looks_like_phone("+33612345678"));
    EXPECT_TRUE(looks_like_phone("030 1234567"));
    EXPECT_TRUE(looks_like_phone("0612345678"));
    EXPECT_TRUE(looks_like_phone("06.12.34.56.78"));
    EXPECT_TRUE(looks_like_phone("(555) 123-4567"));
    EXPECT_TRUE(looks_like_phone("555-123-4567"));
    EXPECT_FALSE(looks_like_phone("2024-03-05"));
    EXPECT_FALSE(looks_like_phone("05.03.2024"));
    EXPECT_FALSE(looks_like_phone("12345678"));   // a bare number could be anything
    EXPECT_FALSE(looks_like_phone("192.168.100.1"));
    EXPECT_FALSE(looks_like_phone("12.345.678"));  // thousands separators
    EXPECT_FALSE(looks_like_phone("1234.5678"));   // a decimal
    EXPECT_FALSE(looks_like_phone("+1 23"));
    EXPECT_FALSE(looks_like_phone("+49 30 1234567 ext"));
    EXPECT_FALSE(looks_like_phone("+1234567890123456"));  // 16 digits: longer than E.164
}

TEST(ValueSniffers, IpAddresses) {
    EXPECT_TRUE(looks_like_ipv4("192.168.0.1"));
    EXPECT_TRUE(looks_like_ipv4("10.0.0.0/8"));
    EXPECT_FALSE(looks_like_ipv4("256.1.1.1"));
    EXPECT_FALSE(looks_like_ipv4("1.2.3"));
    EXPECT_FALSE(looks_like_ipv4("01.2.3.4"));
    EXPECT_FALSE(looks_like_ipv4("1.2.3.4/33"));
    EXPECT_TRUE(looks_like_ipv6("2001:db8::1"));
    EXPECT_TRUE(looks_like_ipv6("::1"));
    EXPECT_TRUE(looks_like_ipv6("fe80::1%eth0"));
    EXPECT_TRUE(looks_like_ipv6("2001:db8::/32"));
    EXPECT_TRUE(looks_like_ipv6("::ffff:192.0.2.1"));
    EXPECT_FALSE(looks_like_ipv6("2001:db8:::1"));
    EXPECT_FALSE(looks_like_ipv6("12345::"));
    EXPECT_FALSE(looks_like_ipv6("1.2.3.4"));
    EXPECT_FALSE(looks_like_ipv6("2001:db8::/129"));
}

TEST(ValueSniffers, CardNumbersPassLuhn) {
    EXPECT_TRUE(looks_like_card_number("4111 1111 1111 1111"));
    EXPECT_TRUE(looks_like_card_number("5555555555554444"));
    EXPECT_TRUE(looks_like_card_number("3782-822463-10005"));
    EXPECT_FALSE(looks_like_card_number("4111 1111 1111 1112"));  // Luhn fails
    EXPECT_FALSE(looks_like_card_number("411111111111"));          // 12 digits
    EXPECT_FALSE(looks_like_card_number("4111  1111 1111 1111"));  // two separators in a row
    EXPECT_FALSE(looks_like_card_number("0000000000000000"));
    EXPECT_FALSE(looks_like_card_number("9111111111111111"));
}

TEST(ValueSniffers, IbanPassesMod97) {
    EXPECT_TRUE(looks_like_iban("GB82 WEST 1234 5698 7654 32"));
    EXPECT_TRUE(looks_like_iban("DE89370400440532013000"));
    EXPECT_TRUE(looks_like_iban("fr14 2004 1010 0505 0001 3m02 606"));
    EXPECT_FALSE(looks_like_iban("GB82 WEST 1234 5698 7654 33"));  // mod-97 fails
    EXPECT_FALSE(looks_like_iban("DE89 3704"));
    EXPECT_FALSE(looks_like_iban("1289370400440532013000"));
}

TEST(ValueSniffers, NationalIds) {
    EXPECT_TRUE(looks_like_us_ssn("123-45-6789"));
    EXPECT_FALSE(looks_like_us_ssn("000-12-3456"));
    EXPECT_FALSE(looks_like_us_ssn("666-12-3456"));
    EXPECT_FALSE(looks_like_us_ssn("912-34-5678"));
    EXPECT_FALSE(looks_like_us_ssn("123-00-4567"));
    EXPECT_FALSE(looks_like_us_ssn("123456789"));

    EXPECT_TRUE(looks_like_uk_nino("AB 12 34 56 C"));
    EXPECT_TRUE(looks_like_uk_nino("ab123456d"));
    EXPECT_FALSE(looks_like_uk_nino("QQ123456C"));  // Q is never a first letter
    EXPECT_FALSE(looks_like_uk_nino("GB123456A"));  // reserved prefix
    EXPECT_FALSE(looks_like_uk_nino("AB123456E"));  // suffix beyond D

    EXPECT_TRUE(looks_like_fr_insee("1 84 12 76 451 089 46"));
    EXPECT_TRUE(looks_like_fr_insee("269029934173285"));
    EXPECT_TRUE(looks_like_fr_insee("1 85 05 2A 012 345 79"));  // Corsica
    EXPECT_FALSE(looks_like_fr_insee("1 84 12 76 451 089 47"));  // wrong key
    EXPECT_FALSE(looks_like_fr_insee("5 84 12 76 451 089 46"));  // no such first digit

    EXPECT_TRUE(looks_like_es_dni("12345678Z"));
    EXPECT_TRUE(looks_like_es_dni("12345678-z"));
    EXPECT_TRUE(looks_like_es_dni("X1234567L"));  // NIE
    EXPECT_FALSE(looks_like_es_dni("12345678A"));  // wrong letter
    EXPECT_FALSE(looks_like_es_dni("X1234567Z"));
}

TEST(ValueSniffers, ThresholdIsEightyPercentAndThreeSamples) {
    // 4 of 5 is 80%: enough.
    auto four_of_five = sniff_values({"a@example.com", "b@example.com", "c@example.com", "d@example.com", "nope"});
    ASSERT_TRUE(four_of_five);
    EXPECT_EQ(four_of_five->kind, ValueKind::email);
    EXPECT_EQ(four_of_five->matched, 4u);
    EXPECT_EQ(four_of_five->considered, 5u);
    // 3 of 4 is 75%: not enough.
    EXPECT_FALSE(sniff_values({"a@example.com", "b@example.com", "c@example.com", "nope"}));
    // Two samples are too few, however clear.
    EXPECT_FALSE(sniff_values({"a@example.com", "b@example.com"}));
    // Empty strings are not samples.
    auto with_blanks = sniff_values({"a@example.com", "", "b@example.com", "  ", "c@example.com"});
    ASSERT_TRUE(with_blanks);
    EXPECT_EQ(with_blanks->considered, 3u);
    EXPECT_FALSE(sniff_values({}));
}

TEST(ValueSniffers, ChecksumsWinOverLooserShapes) {
    // Valid card numbers with separators also look like nothing else; random digits do not pass.
    auto cards = sniff_values({"4111 1111 1111 1111", "5555 5555 5555 4444", "3782 822463 10005"});
    ASSERT_TRUE(cards);
    EXPECT_EQ(cards->kind, ValueKind::card_number);
    EXPECT_FALSE(sniff_values({"4111 1111 1111 1112", "5555 5555 5555 4445", "3782 822463 10006"}));
    auto ips = sniff_values({"2001:db8::1", "2001:db8::2", "::1"});
    ASSERT_TRUE(ips);
    EXPECT_EQ(ips->kind, ValueKind::ipv6);
}

TEST(PiiValues, SuggestsByValues) {
    auto iban = suggest_by_values(text_column("account"), {"GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
                                                           "FR1420041010050500013M02606", "not an iban", "",
                                                           "GB82WEST12345698765432", "DE89 3704 0044 0532 0130 00"});
    ASSERT_TRUE(iban);
    EXPECT_EQ(iban->rule, "{fake: iban}");
    EXPECT_EQ(iban->reason, "83% of 6 sampled values are IBANs passing mod-97");

    auto ssn = suggest_by_values(text_column("ident"), {"123-45-6789", "234-56-7890", "345-67-8901"});
    ASSERT_TRUE(ssn);
    EXPECT_EQ(ssn->rule, "{mask: {keep_last: 2}}");

    auto phones = suggest_by_values(text_column("contact"), {"+49 30 1234567", "030 1234567", "+33 6 12 34 56 78"});
    ASSERT_TRUE(phones);
    EXPECT_EQ(phones->rule, "{fake: phone}");

    auto ips = suggest_by_values(column_of("origin", "inet", "I"), {"10.0.0.1", "10.0.0.2", "192.168.1.7/32"});
    ASSERT_TRUE(ips);
    EXPECT_EQ(ips->rule, "{fake: ipv4}");

    auto unique_emails = suggest_by_values(column_of("contact", "text", "S", true),
                                           {"a@example.com", "b@example.com", "c@example.com"});
    ASSERT_TRUE(unique_emails);
    EXPECT_EQ(unique_emails->rule, "{fake: email, unique: true}");

    // Numbers and booleans are not sniffed; ordinary text is not PII.
    EXPECT_FALSE(suggest_by_values(column_of("amount", "bigint", "N"), {"4111111111111111", "5555555555554444",
                                                                        "378282246310005"}));
    EXPECT_FALSE(suggest_by_values(text_column("status"), {"active", "pending", "active", "closed"}));
}

// The starter config.

std::vector<SampledTable> sample_schema() {
    SampledTable users;
    users.shape.name = "public.users";
    users.shape.columns = {
        column_of("id", "bigint", "N", true, true),
        column_of("email", "character varying(255)", "S", true, true),
        column_of("email_verified", "boolean", "B"),
        column_of("encrypted_password", "character varying(255)", "S", false, true),
        column_of("first_name", "text", "S"),
        column_of("name", "text", "S"),
        column_of("phone", "bigint", "N", false, true),
        column_of("contact", "text", "S"),
        column_of("last_sign_in_ip", "inet", "I"),
        column_of("created_at", "timestamp(6) without time zone", "D", false, true),
        column_of("last_login", "timestamp(6) without time zone", "D"),
    };
    users.samples = {{}, {}, {}, {}, {}, {}, {}, {"ana@example.com", "bo@example.com", "cy@example.org"}, {}, {}, {}};
    SampledTable products;
    products.shape.name = "public.products";
    products.shape.columns = {
        column_of("id", "integer", "N", true, true),
        column_of("name", "text", "S", false, true),
        column_of("description", "text", "S"),
    };
    SampledTable odd;
    odd.shape.name = "app.Odd Table";
    odd.shape.columns = {
        column_of("on", "text", "S"),
        column_of("e-mail: \"x\"", "text", "S"),
        column_of("1st", "integer", "N"),
    };
    return {users, products, odd};
}

constexpr const char* k_expected_config = R"yaml(# understudy.yml: a starter configuration written by `understudy init`.
# Review every rule before use: the suggestions come from column names and sampled values, and a
# column under `keep:` is copied as it is. Lines marked "review" looked like personal data but got
# no rule. The secret that keys the pseudonyms comes from UNDERSTUDY_SECRET, never from this file.
anonymize:
  default: fail
  tables:
    "app.Odd Table":
      "e-mail: \"x\"": {fake: email}  # name "e-mail: "x"" looks like an email address
    public.products:
      description: null  # name "description" looks like free text that may hold personal data
    public.users:
      contact: {fake: email}  # 100% of 3 sampled values are email addresses
      email: {fake: email, unique: true}  # name "email" looks like an email address
      encrypted_password: {fixed: "$2a$10$IH4uDOeD5K.8XBErdO6MEO7z53pDJz6l4KHcb./xnxcJUAI7ek.7S"}  # name "encrypted_password" looks like a password hash; fixed: bcrypt of the test password "understudy"
      first_name: {fake: first_name}  # name "first_name" looks like a first name
      last_sign_in_ip: {fake: ipv4}  # name "last_sign_in_ip" looks like an IP address
      name: {fake: full_name}  # name "name" looks like a person's name
keep:
  - "app.Odd Table.1st"  # integer
  - "app.Odd Table.on"  # text
  - public.products.id  # integer
  - public.products.name  # text; review: "name" may be a person's name
  - public.users.created_at  # timestamp(6) without time zone
  - public.users.email_verified  # boolean
  - public.users.id  # bigint
  - public.users.last_login  # timestamp(6) without time zone
  - public.users.phone  # bigint; review: name "phone" looks like a phone number but no rule fits its type
)yaml";

TEST(PiiNames, SuggestionsFitTheColumnsLength) {
    // A fake email is at least 45 characters: a varchar(12) gets a mask, a unique one NULLs when it can.
    EXPECT_EQ(rule_for_name(column_of("email", "character varying(255)", "S")), "{fake: email}");
    EXPECT_EQ(rule_for_name(column_of("email", "character varying(12)", "S")), "{mask: {keep_first: 0}}");
    EXPECT_EQ(rule_for_name(column_of("email", "character varying(12)", "S", true)), "null");
    const auto suggestion = suggest_by_name(column_of("email", "character varying(12)", "S"));
    ASSERT_TRUE(suggestion.has_value());
    EXPECT_NE(suggestion->reason.find("is longer than character varying(12), so masked"), std::string::npos)
        << suggestion->reason;
    // What init suggests, check accepts.
    const TableShape table{"public.t", {column_of("email", "character varying(12)", "S")}};
    const RuleSet rules = RuleSet::from_yaml(
        YAML::Load("anonymize:\n  tables:\n    public.t:\n      email: " + suggestion->rule + "\n"), "init");
    EXPECT_TRUE(check_coverage(rules, {table}).ok()) << check_coverage(rules, {table}).summary();
}

TEST(StarterConfig, ListsEveryColumnWithRulesAndReasons) {
    EXPECT_EQ(write_starter_config(sample_schema()), k_expected_config);
}

TEST(StarterConfig, IsByteStableWhateverTheInputOrder) {
    auto tables = sample_schema();
    std::string first = write_starter_config(tables);
    std::reverse(tables.begin(), tables.end());
    for (auto& table : tables) {
        std::reverse(table.shape.columns.begin(), table.shape.columns.end());
        std::reverse(table.samples.begin(), table.samples.end());
        table.samples.resize(table.shape.columns.size());
    }
    EXPECT_EQ(write_starter_config(tables), first);
    EXPECT_EQ(write_starter_config(tables), first);
}

TEST(StarterConfig, ParsesWithYamlCppAndNamesComeBackExactly) {
    YAML::Node root = YAML::Load(write_starter_config(sample_schema()));
    EXPECT_EQ(root["anonymize"]["default"].as<std::string>(), "fail");
    const YAML::Node odd = root["anonymize"]["tables"]["app.Odd Table"];
    ASSERT_TRUE(odd.IsMap());
    EXPECT_EQ(odd["e-mail: \"x\""]["fake"].as<std::string>(), "email");
    std::vector<std::string> kept;
    for (const auto& entry : root["keep"]) kept.push_back(entry.as<std::string>());
    EXPECT_EQ(kept.size(), 9u);
    EXPECT_EQ(kept[1], "app.Odd Table.on");
    EXPECT_EQ(root["anonymize"]["tables"]["public.users"]["encrypted_password"]["fixed"].as<std::string>(),
              "$2a$10$IH4uDOeD5K.8XBErdO6MEO7z53pDJz6l4KHcb./xnxcJUAI7ek.7S");
}

TEST(StarterConfig, QuotesIdentifiersSoThatTheyReadBackExactly) {
    SampledTable table;
    table.shape.name = "odd.t";
    std::vector<std::string> names = {"on", "No", "null", "~", "1st", ".hidden", "a b", "a:b", "a#b", "-x", "x-",
                                      "\"quoted\"", "back\\slash", "tab\there", "new\nline", "caf\xC3\xA9",
                                      "$dollar", "[list]", "{map}", "*alias", "&anchor", "!tag", "%pct", "@at",
                                      "`tick`"};
    for (const std::string& name : names) table.shape.columns.push_back(column_of(name, "integer", "N", false, true));
    std::string config = write_starter_config({table});
    YAML::Node root = YAML::Load(config);
    std::vector<std::string> kept;
    for (const auto& entry : root["keep"]) kept.push_back(entry.as<std::string>());
    std::vector<std::string> expected;
    for (const std::string& name : names) expected.push_back(config_name("odd.t", name));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(kept, expected) << config;
    // A name with a dot or a double quote is SQL-quoted, so that the rules read it back exactly.
    EXPECT_NE(std::find(kept.begin(), kept.end(), "\"odd\".\"t\".\".hidden\""), kept.end());
    const RuleSet rules = RuleSet::from_yaml(root, "understudy.yml");
    for (const std::string& name : names) EXPECT_TRUE(rules.kept("odd.t", name)) << name;
    // Each entry stays on one line: a newline in a name is escaped, and in a comment replaced.
    EXPECT_EQ(std::count(config.begin(), config.end(), '\n'), 8 + static_cast<long>(names.size()));
}

TEST(StarterConfig, SampledValuesRefineVagueNames) {
    SampledTable table;
    table.shape.name = "public.sessions";
    table.shape.columns = {column_of("ip", "text", "S"), column_of("notes", "text", "S"),
                           column_of("email", "text", "S")};
    table.samples = {{"2001:db8::1", "2001:db8::2", "fe80::1"},
                     {"GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606"},
                     {"+49 30 1234567", "030 1234567", "+33 6 12 34 56 78"}};
    YAML::Node rules = YAML::Load(write_starter_config({table}))["anonymize"]["tables"]["public.sessions"];
    EXPECT_EQ(rules["ip"]["fake"].as<std::string>(), "ipv6");
    EXPECT_EQ(rules["notes"]["fake"].as<std::string>(), "iban");
    // A specific name wins over the values.
    EXPECT_EQ(rules["email"]["fake"].as<std::string>(), "email");
}

TEST(StarterConfig, EmptyAndPiiFreeSchemasAreValidYaml) {
    std::string empty = write_starter_config({});
    EXPECT_NE(empty.find("  tables: {}\nkeep: []\n"), std::string::npos);
    YAML::Node root = YAML::Load(empty);
    EXPECT_TRUE(root["anonymize"]["tables"].IsMap());
    EXPECT_TRUE(root["keep"].IsSequence());
}

TEST(StarterConfig, PassesTheRuleParserAndTheCoverageGuard) {
    // Every kind of name on every class of type, unique or not, nullable or not: each suggestion
    // must parse, fit its column's type and be injective where the column is unique.
    struct TypeVariant {
        const char* suffix;
        const char* type;
        const char* category;
    };
    const TypeVariant types[] = {
        {"", "character varying(255)", "S"}, {"_list", "text[]", "A"}, {"_n", "numeric", "N"},
        {"_d", "date", "D"}, {"_b", "boolean", "B"}, {"_inet", "inet", "I"}, {"_uuid", "uuid", "U"},
        {"_json", "jsonb", "U"}, {"_enum", "mood", "E"},
    };
    SampledTable table;
    table.shape.name = "public.people";
    for (const char* name : {"email", "username", "phone", "first_name", "last_name", "name", "company", "street",
                             "address", "city", "postcode", "ip", "iban", "card_number", "ssn", "password",
                             "api_key", "mac_address", "notes", "birthday"}) {
        for (const TypeVariant& variant : types) {
            std::string column = std::string(name) + variant.suffix;
            table.shape.columns.push_back(column_of(column, variant.type, variant.category));
            table.shape.columns.push_back(column_of(column + "_u", variant.type, variant.category, true, true));
            table.shape.columns.push_back(column_of(column + "_nn", variant.type, variant.category, false, true));
            table.shape.columns.push_back(column_of(column + "_un", variant.type, variant.category, true, false));
        }
    }
    std::string config = write_starter_config({table});
    RuleSet rules = RuleSet::from_yaml(YAML::Load(config), "understudy.yml");
    EXPECT_TRUE(rules.configured());
    EXPECT_EQ(rules.default_policy(), DefaultPolicy::fail);
    std::size_t ruled = 0;
    for (const ColumnShape& column : table.shape.columns) {
        bool has_rule = rules.find("public.people", column.name) != nullptr;
        EXPECT_NE(has_rule, rules.kept("public.people", column.name)) << column.name;
        ruled += has_rule ? 1 : 0;
    }
    EXPECT_GT(ruled, 250u);
    CoverageReport report = check_coverage(rules, {table.shape});
    for (const std::string& error : report.errors) ADD_FAILURE() << error;
    EXPECT_TRUE(report.ok()) << report.summary();
}

}  // namespace
}  // namespace understudy::anonymizer
