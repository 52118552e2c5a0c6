// `date_shift`: every date of one entity moves by the same offset, so its intervals survive.
#include "transformers/builders.hpp"
#include "transformers/temporal.hpp"
#include "understudy/error.hpp"

namespace understudy::anonymizer {
namespace {

class DateShiftTransformer final : public Transformer {
public:
    DateShiftTransformer(const Secret& secret, NoiseRange max, std::string entity, std::string pseudonym_class)
        : m_secret(secret), m_max(std::move(max)), m_entity(std::move(entity)), m_class(std::move(pseudonym_class)) {
        m_global_offset = offset_for(m_secret.hash64(m_class, std::string_view("\x1f" "all entities")));
    }

    bool write(const Value& input, const RowView& row, std::string& out) const override {
        if (!input) return false;
        std::int64_t offset = m_global_offset;
        if (!m_entity.empty()) {
            // An entity with a NULL id gets the shared offset: it has no other rows to line up with.
            const Value& entity = row.column(m_entity);
            if (entity) offset = offset_for(m_secret.hash64(m_class, *entity));
        }
        if (!shift_temporal(*input, offset, out))
            throw Error(ExitCode::config, "date_shift: value is not a date, time or timestamp in ISO form");
        return true;
    }
    bool injective() const override { return false; }
    TypeClass accepts() const override { return TypeClass::temporal; }
    std::vector<std::string> referenced_columns() const override {
        if (m_entity.empty()) return {};
        return {m_entity};
    }
    std::string describe() const override {
        std::string text = "date_shift max " + m_max.text;
        if (!m_entity.empty()) text += " per " + m_entity;
        return text;
    }

private:
    // Never zero: a shift of nothing would leave the real date. Whole days when max is a day or more.
    std::int64_t offset_for(std::uint64_t hash) const {
        const bool days = m_max.seconds >= 86400;
        const std::int64_t bound = days ? m_max.seconds / 86400 : m_max.seconds;
        if (bound <= 0) return 0;
        std::int64_t magnitude = 1 + static_cast<std::int64_t>((hash >> 1) % static_cast<std::uint64_t>(bound));
        std::int64_t offset = (hash & 1) ? magnitude : -magnitude;
        return days ? offset * 86400 : offset;
    }

    Secret m_secret;
    NoiseRange m_max;
    std::string m_entity;
    std::string m_class;
    std::int64_t m_global_offset = 0;
};

}  // namespace

std::unique_ptr<Transformer> make_date_shift_transformer(const Secret& secret, NoiseRange max, std::string entity,
                                                         std::string pseudonym_class) {
    return std::make_unique<DateShiftTransformer>(secret, std::move(max), std::move(entity),
                                                  std::move(pseudonym_class));
}

}  // namespace understudy::anonymizer
