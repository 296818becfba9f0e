// Boost.URL is used header-only (Debian ships no compiled libboost_url): its sources are
// compiled once, here.
#include <boost/url/src.hpp>
