/* core/kf.h - error codes and small definitions shared by every module.
 * Functions across Kefu return 0 on success or one of these negative codes. */
#ifndef KF_CORE_KF_H
#define KF_CORE_KF_H

enum {
	KF_OK = 0,
	KF_ENOMEM = -1,
	KF_EINVAL = -2,      /* bad argument or input */
	KF_ENOTFOUND = -3,
	KF_EEXIST = -4,      /* unique constraint */
	KF_EIO = -5,         /* database or file error */
	KF_ETOOBIG = -6,     /* a size cap was hit */
	KF_EDENIED = -7,
	KF_EBUSY = -8,
};

#define KF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KF_UNUSED(x) ((void)(x))

const char *kf_strerror(int code);

#endif
