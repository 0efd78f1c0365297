// CommentService on PostgreSQL (comments_contract_test.h has the tests; skipped without
// HERALD_TEST_PG_URL).
#include "comments/comments_contract_test.h"

namespace herald::comments {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, CommentsTest, ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::comments
