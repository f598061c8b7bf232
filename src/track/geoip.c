/* track/geoip.c - country and city of a visitor's address from a MaxMind DB file
 * (libmaxminddb; GeoLite2-City or any database with the same country.iso_code and
 * city.names.en paths). The file is optional: without one, or when it cannot be opened,
 * every lookup answers empty strings and the server logs one warning at start. */
#include "track/track.h"
#include "core/log.h"
#include "core/util.h"
#include <maxminddb.h>
#include <stdio.h>
#include <string.h>

static MMDB_s db;
static int db_open;

void track_geoip_open(const char *path)
{
	if (db_open || !path || !*path)
		return;
	int rc = MMDB_open(path, MMDB_MODE_MMAP, &db);
	if (rc != MMDB_SUCCESS) {
		log_warn("track: GeoIP file %s not opened (%s); the country and city columns stay empty", path,
			 MMDB_strerror(rc));
		return;
	}
	db_open = 1;
	log_info("track: GeoIP from %s (%s)", path, db.metadata.database_type ? db.metadata.database_type : "?");
}

void track_geoip_close(void)
{
	if (db_open)
		MMDB_close(&db);
	db_open = 0;
}

/* The UTF-8 string at path under entry into out ("" when absent or not a string). */
static void string_at(MMDB_entry_s *entry, char *out, size_t outsz, const char *const *path)
{
	MMDB_entry_data_s d;
	char tmp[256];
	out[0] = '\0';
	if (MMDB_aget_value(entry, &d, path) != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d.data_size >= sizeof(tmp))
		return;
	memcpy(tmp, d.utf8_string, d.data_size);
	tmp[d.data_size] = '\0';
	if (utf8_valid(tmp, d.data_size) && !memchr(tmp, '\0', d.data_size))
		utf8_copy(out, outsz, tmp);
}

void track_geoip_lookup(const char *ip, char country[8], char *city, size_t citysz)
{
	static const char *const country_path[] = { "country", "iso_code", NULL };
	static const char *const city_path[] = { "city", "names", "en", NULL };
	int gai = 0, err = 0;
	country[0] = '\0';
	city[0] = '\0';
	if (!db_open || !ip || !*ip)
		return;
	MMDB_lookup_result_s res = MMDB_lookup_string(&db, ip, &gai, &err);
	if (gai != 0 || err != MMDB_SUCCESS || !res.found_entry)
		return;
	string_at(&res.entry, country, 8, country_path);
	string_at(&res.entry, city, citysz, city_path);
}
