/*-------------------------------------------------------------------------
 *
 * pipeproc.h
 *	  Settings and helpers shared by every part of pipeproc.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_H
#define PIPEPROC_H

#include "fmgr.h"

/* GUCs */
extern int	pp_max_topics;
extern int	pp_chunk_size;

/*
 * Catalog access as the extension's owner with a pinned search_path
 * (pg_catalog, pg_temp): callers' settings and roles never reach the SQL
 * that pipeproc runs on its own tables.
 */
typedef struct PPCatalogAccess
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} PPCatalogAccess;

extern void pp_catalog_begin(PPCatalogAccess *acc);
extern void pp_catalog_end(PPCatalogAccess *acc);

struct _SPI_plan;				/* SPIPlanPtr, executor/spi.h */
extern int	pp_cat_exec(struct _SPI_plan **cache, const char *sql, int nargs, Oid *types,
						Datum *values, const char *nulls, long tcount);

extern Oid	pp_namespace(void);
extern Oid	pp_data_namespace(void);
extern Oid	pp_extension_owner(void);
extern char *pp_text_arg(FunctionCallInfo fcinfo, int argno, const char *argname);
extern void pp_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *argname);
extern int64 pp_now_ms(void);

#endif							/* PIPEPROC_H */
