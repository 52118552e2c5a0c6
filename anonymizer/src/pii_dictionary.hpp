// The multi-language dictionary of column names that suggest personal data, and name normalization.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::anonymizer {

/// What kind of personal data a column name suggests.
enum class PiiKind {
    email,
    phone,
    first_name,
    last_name,
    full_name,
    username,
    company,
    street,
    address,
    city,
    postcode,
    birth_date,
    ip_address,
    national_id,
    iban,
    card_number,
    password,
    secret,
    device_id,
    free_text,
};

/// `an email address`, `a first name`: for reasons written next to a rule.
std::string_view pii_kind_label(PiiKind kind);

/// A column name's words: accents folded to ASCII (`téléphone` → `telephone`, `straße` → `strasse`),
/// split at non-alphanumerics and camelCase boundaries, lowercased (`lastSignInIP` → last sign in ip).
std::vector<std::string> normalize_name(std::string_view name);

/// What a name matched in the dictionary.
struct NameMatch {
    PiiKind kind;
    bool bare_name = false;  ///< a bare "name"/"nom"/"nombre": a person's name only in a table of people
};

/// The best dictionary match for a column name, or nothing when no word matches or a qualifier
/// says the column is about the data rather than the data itself (`email_verified`, `phone_count`,
/// `user_id`, `phone_country_code`).
std::optional<NameMatch> match_name(std::string_view name);

/// True when the last word of a table's name (`public.users`, `kunden`, `customer_profiles`) says its rows are people,
/// so that a bare `name` column is a person's name rather than a product's.
bool is_person_table(std::string_view table);

}  // namespace understudy::anonymizer
