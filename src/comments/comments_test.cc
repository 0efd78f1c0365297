// CommentService on SQLite (comments_contract_test.h has the tests).
#include "comments/comments_contract_test.h"

namespace herald::comments {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, CommentsTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::comments
