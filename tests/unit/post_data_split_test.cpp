// The post-data split: which listing lines are one table's own keys and indexes, and which wait.
#include <gtest/gtest.h>

#include "understudy/orchestrator/schema/post_data_split.hpp"

namespace understudy::orchestrator {
namespace {

// A real `pg_restore --list --section=post-data` of a partitioned table and two plain ones.
const char* const k_listing = R"(;
; Archive created at 2026-11-22 00:46:00 UTC
;     dbname: production
;
; Selected TOC Entries:
;
3341; 2606 16402 CONSTRAINT public accounts accounts_pkey understudy
3359; 2606 16448 CONSTRAINT public events events_pkey understudy
3362; 2606 16454 CONSTRAINT public events_2024_01 events_2024_01_pkey understudy
3312; 2606 16420 CONSTRAINT public users users_email_key understudy
3318; 1259 16500 INDEX public events_account_id_idx understudy
3319; 1259 16501 INDEX public events_2024_01_account_id_idx understudy
3320; 1259 16502 INDEX public users_account_id_idx understudy
3330; 0 0 INDEX ATTACH public events_2024_01_pkey understudy
3331; 0 0 INDEX ATTACH public events_2024_01_account_id_idx understudy
3340; 2606 16600 FK CONSTRAINT public users users_account_id_fkey understudy
3342; 2606 16601 CHECK CONSTRAINT public users users_age_check understudy
3350; 2620 16700 TRIGGER public users users_audit understudy
3351; 1259 16503 INDEX public lonely_idx understudy
)";

TEST(PostDataSplit, ParsesEveryEntryAndItsType) {
    auto entries = parse_archive_listing(k_listing);
    ASSERT_EQ(entries.size(), 13u);
    EXPECT_EQ(entries[0].catalog, 2606u);
    EXPECT_EQ(entries[0].oid, 16402u);
    EXPECT_EQ(entries[0].type, "CONSTRAINT");
    EXPECT_EQ(entries[0].line, "3341; 2606 16402 CONSTRAINT public accounts accounts_pkey understudy");
    EXPECT_EQ(entries[4].type, "INDEX");
    EXPECT_EQ(entries[7].type, "INDEX ATTACH");
    EXPECT_EQ(entries[9].type, "FK CONSTRAINT");
    EXPECT_EQ(entries[10].type, "CHECK");
    EXPECT_EQ(entries[11].type, "TRIGGER");
}

TEST(PostDataSplit, OwnKeysAndIndexesGoToTheirTableEverythingElseWaits) {
    std::map<CatalogObject, std::string> owners = {
        {{2606, 16402}, "public.accounts"}, {{2606, 16448}, "public.events"},
        {{2606, 16454}, "public.events"},   {{2606, 16420}, "public.users"},
        {{1259, 16500}, "public.events"},   {{1259, 16501}, "public.events"},
        {{1259, 16502}, "public.users"},
        // Same oid as an index above, but a foreign key: the catalog tells them apart.
        {{1259, 16600}, "public.users"},
    };
    auto split = split_post_data(parse_archive_listing(k_listing), owners);
    ASSERT_EQ(split.per_table.size(), 3u);
    EXPECT_EQ(split.per_table["public.accounts"],
              std::vector<std::string>{"3341; 2606 16402 CONSTRAINT public accounts accounts_pkey understudy"});
    EXPECT_EQ(split.per_table["public.events"].size(), 4u);
    EXPECT_EQ(split.per_table["public.users"],
              (std::vector<std::string>{"3312; 2606 16420 CONSTRAINT public users users_email_key understudy",
                                        "3320; 1259 16502 INDEX public users_account_id_idx understudy"}));
    // Attachments, foreign keys, check constraints, triggers and unmapped indexes wait, in order.
    EXPECT_EQ(split.rest, (std::vector<std::string>{
                              "3330; 0 0 INDEX ATTACH public events_2024_01_pkey understudy",
                              "3331; 0 0 INDEX ATTACH public events_2024_01_account_id_idx understudy",
                              "3340; 2606 16600 FK CONSTRAINT public users users_account_id_fkey understudy",
                              "3342; 2606 16601 CHECK CONSTRAINT public users users_age_check understudy",
                              "3350; 2620 16700 TRIGGER public users users_audit understudy",
                              "3351; 1259 16503 INDEX public lonely_idx understudy"}));
}

}  // namespace
}  // namespace understudy::orchestrator
