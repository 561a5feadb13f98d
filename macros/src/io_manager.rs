//! `#[io_manager]` on a function building a manager, and what every manager
//! declaration shares: its arguments, the `ResourceDefinition` decorations
//! they become, and the `DynIOManager` impl of `types = [..]`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, LitStr, Type};

use crate::item::Function as ItemFn;

use crate::attr::{self, Errors, Seen};
use crate::key::{Declaration, Key};
use crate::signature;

/// The arguments of `#[io_manager]`, `#[input_manager]` and the derives'
/// helper attribute (each accepts a subset, see `allowed`).
#[derive(Default)]
pub struct ManagerArgs {
    pub key: Option<Key>,
    pub description: Option<LitStr>,
    pub config: Option<Type>,
    pub input_config: Option<Type>,
    pub output_config: Option<Type>,
    pub required_resource_keys: Option<Vec<LitStr>>,
    pub version: Option<LitStr>,
    pub types: Option<(Ident, Vec<Type>)>,
}

pub const FN_ARGS: &[&str] = &[
    "key",
    "description",
    "config",
    "input_config",
    "output_config",
    "required_resource_keys",
    "version",
    "types",
];

impl ManagerArgs {
    /// Parses one argument list into `self`; `seen` spans several lists
    /// (a derive may carry more than one helper attribute).
    pub fn parse(
        &mut self,
        tokens: TokenStream,
        allowed: &[&str],
        ctx: &str,
        seen: &mut Seen,
        errors: &mut Errors,
    ) {
        attr::parse_args(tokens, errors, |meta, _| {
            let name = attr::arg_name(meta)?;
            let text = name.to_string();
            if !allowed.contains(&text.as_str()) {
                return Err(match not_here(&text) {
                    Some(why) if FN_ARGS.contains(&text.as_str()) => syn::Error::new(
                        name.span(),
                        format!("{ctx} `{text}` is not supported here: {why}"),
                    ),
                    _ => attr::unknown(&name, ctx, allowed),
                });
            }
            seen.first(&name, ctx)?;
            match name.to_string().as_str() {
                "key" => self.key = Some(Key::parse(attr::lit_str(meta, &name)?)?),
                "description" => self.description = Some(attr::lit_str(meta, &name)?),
                "config" => self.config = Some(attr::ty(meta, &name)?),
                "input_config" => self.input_config = Some(attr::ty(meta, &name)?),
                "output_config" => self.output_config = Some(attr::ty(meta, &name)?),
                "required_resource_keys" => {
                    self.required_resource_keys = Some(attr::str_list(meta, &name)?)
                }
                "version" => self.version = Some(attr::lit_str(meta, &name)?),
                "types" => self.types = Some((name.clone(), attr::type_list(meta, &name)?)),
                _ => return Err(attr::unknown(&name, ctx, allowed)),
            }
            Ok(())
        });
    }

    /// `.description(..)`, `.config_type::<T>()`… on a `ResourceDefinition`.
    pub fn decorations(&self, default_description: Option<String>) -> TokenStream {
        let mut out = TokenStream::new();
        if let Some(d) = self
            .description
            .as_ref()
            .map(LitStr::value)
            .or(default_description)
        {
            out.extend(quote! { .description(#d) });
        }
        if let Some(t) = &self.config {
            out.extend(quote! { .config_type::<#t>() });
        }
        if let Some(t) = &self.input_config {
            out.extend(quote! { .input_config_type::<#t>() });
        }
        if let Some(t) = &self.output_config {
            out.extend(quote! { .output_config_type::<#t>() });
        }
        if let Some(keys) = &self.required_resource_keys {
            // Typed, so an empty list infers.
            out.extend(
                quote! { .required_resource_keys::<[&'static str; _], &'static str>([#(#keys),*]) },
            );
        }
        if let Some(v) = &self.version {
            out.extend(quote! { .version(#v) });
        }
        out
    }
}

/// Why an argument another manager form takes is refused where it is.
fn not_here(name: &str) -> Option<&'static str> {
    match name {
        "config" => Some(
            "a derived manager's config is the struct itself (its fields, from `resources.<key>.config`)",
        ),
        "output_config" => Some("an input manager has no outputs"),
        "types" => Some(
            "an input manager only loads; `types = [..]` lists what an IO manager stores and loads",
        ),
        _ => None,
    }
}

/// `impl DynIOManager for M` serving exactly `types`, each through
/// `M`'s own `IOManager<T>` impl (checked at the type's token).
pub fn dyn_impl(manager: &TokenStream, manager_name: &str, types: &[Type]) -> TokenStream {
    let names = attr::list(types.iter().map(type_string));
    let stored = format!("it stores only {names}");
    let loaded = format!("it loads only {names}");
    // The manager's tokens are respanned to each listed type, so a type
    // the manager does not handle is reported once, on that type.
    let handles = types.iter().map(|t| {
        let m = crate::key::respan(manager.clone(), t.span());
        let call =
            quote_spanned! {t.span()=> <#t as ::larder::__private::ManagedBy<#m>>::handle_output };
        quote! {
            if let ::core::option::Option::Some(v) = value.downcast_ref::<#t>() {
                return #call(self, ctx, v);
            }
        }
    });
    let loads = types.iter().map(|t| {
        let m = crate::key::respan(manager.clone(), t.span());
        let call =
            quote_spanned! {t.span()=> <#t as ::larder::__private::ManagedBy<#m>>::load_input };
        quote! {
            if ty.id == ::core::any::TypeId::of::<#t>() {
                return #call(self, ctx).map(|v| ::std::boxed::Box::new(v) as ::larder::Value);
            }
        }
    });
    let ids = types
        .iter()
        .map(|t| quote! { ::core::any::TypeId::of::<#t>() });
    let ids2 = ids.clone();
    quote! {
        #[automatically_derived]
        impl ::larder::DynIOManager for #manager {
            fn supports_output(ty: &::larder::TypeInfo) -> ::core::result::Result<(), ::std::string::String> {
                if [#(#ids),*].contains(&ty.id) {
                    ::core::result::Result::Ok(())
                } else {
                    ::core::result::Result::Err(::std::format!("{} (its `types = [..]`), not `{}`", #stored, ty.short_name()))
                }
            }
            fn supports_input(ty: &::larder::TypeInfo) -> ::core::result::Result<(), ::std::string::String> {
                if [#(#ids2),*].contains(&ty.id) {
                    ::core::result::Result::Ok(())
                } else {
                    ::core::result::Result::Err(::std::format!("{} (its `types = [..]`), not `{}`", #loaded, ty.short_name()))
                }
            }
            fn handle_output_dyn(
                &self,
                ctx: &mut ::larder::OutputContext,
                value: &(dyn ::core::any::Any + ::core::marker::Send + ::core::marker::Sync),
                ty: &::larder::TypeInfo,
            ) -> ::larder::Result<()> {
                #(#handles)*
                ::core::result::Result::Err(::larder::Error::msg(::std::format!(
                    "`{}` cannot store a `{}`: {}", #manager_name, ty.short_name(), #stored
                )))
            }
            fn load_input_dyn(
                &self,
                ctx: &mut ::larder::InputContext,
                ty: &::larder::TypeInfo,
            ) -> ::larder::Result<::larder::Value> {
                #(#loads)*
                ::core::result::Result::Err(::larder::Error::msg(::std::format!(
                    "`{}` cannot load a `{}`: {}", #manager_name, ty.short_name(), #loaded
                )))
            }
        }
    }
}

/// A type as written, for messages and registrations (`Vec<u8>`).
pub fn type_string(ty: &impl ToTokens) -> String {
    let s = ty.to_token_stream().to_string();
    s.replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

/// How a declaring function receives its context.
pub enum CtxParam {
    None,
    Some,
}

/// Zero parameters, or one `&mut <ctx>` / `&<ctx>`.
pub fn ctx_param(item: &ItemFn, ctx_ty: &str, what: &str, errors: &mut Errors) -> CtxParam {
    let typed: Vec<&syn::PatType> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => Some(t),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let expected = format!("{what} functions take no parameters or one `&mut {ctx_ty}`");
    match typed.as_slice() {
        [] => CtxParam::None,
        [one] => match &*one.ty {
            Type::Reference(r) if signature::last_segment_is(&r.elem, ctx_ty) => CtxParam::Some,
            other => {
                errors.spanned(other, format!("{expected}, not `{}`", type_string(other)));
                CtxParam::None
            }
        },
        [_, second, ..] => {
            errors.spanned(second, expected);
            CtxParam::None
        }
    }
}

/// The type a declaring function returns (`M` of `Result<M, E>`) and
/// whether it is a `Result`.
pub fn returned(item: &ItemFn, what: &str, errors: &mut Errors) -> Option<(Type, bool)> {
    let out = signature::output(&item.sig, errors);
    match out.ty {
        Some(t) => Some((t, out.is_result)),
        None => {
            let msg = format!("{what} functions must return the manager (or `Result<Manager, E>`)");
            match &out.written {
                Some(w) => errors.spanned(w, msg),
                None => errors.spanned(&item.sig.ident, msg),
            }
            None
        }
    }
}

/// The user's function called with the context (if it takes one), as a
/// `larder::Result`.
pub fn call_user_fn(
    ident: &Ident,
    ctx: &CtxParam,
    ctx_var: &Ident,
    is_result: bool,
) -> TokenStream {
    let arg = match ctx {
        CtxParam::None => quote! {},
        CtxParam::Some => quote! { #ctx_var },
    };
    if is_result {
        quote! { #ident(#arg).map_err(::larder::__private::user_error) }
    } else {
        quote! { ::core::result::Result::Ok(#ident(#arg)) }
    }
}

pub fn missing_key(what: &str, example: &str) -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        format!("{what} needs a key: `{example}`"),
    )
}

pub fn expand(arg_tokens: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = crate::item::not_a_function(
                &item,
                "`#[io_manager]` can only be used on a function returning a manager; on a struct, use `#[derive(ConfigurableIOManager)]` with `#[io_manager(key = \"...\")]`",
            );
            return quote! { #item #err };
        }
    };
    let what = "`#[io_manager]`";
    let mut errors = Errors::default();
    let mut args = ManagerArgs::default();
    args.parse(
        arg_tokens,
        FN_ARGS,
        "`#[io_manager]` argument",
        &mut Seen::default(),
        &mut errors,
    );
    if args.key.is_none() {
        errors.push(missing_key(what, "#[io_manager(key = \"...\")]"));
    }
    signature::check_plain_fn(&func.sig, what, &mut errors);
    let ctx = ctx_param(&func, "InitContext", what, &mut errors);
    let ret = returned(&func, what, &mut errors);
    let (Some(key), Some((manager, is_result)), true) = (&args.key, ret, errors.is_empty()) else {
        let errs = errors.to_compile_errors();
        return quote! { #func #errs };
    };

    let ident = &func.sig.ident;
    let ctx_var = Ident::new("__larder_ctx", Span::call_site());
    let call = call_user_fn(ident, &ctx, &ctx_var, is_result);
    let marker = crate::key::marker_ident(key).to_token_stream();
    let m = manager.to_token_stream();
    let decl = Declaration {
        key,
        marker: marker.clone(),
        manager: m.clone(),
        stores: true,
        type_name: format!("{} (#[io_manager] fn {ident})", type_string(&manager)),
        build: quote! { __larder_build },
    }
    .tokens();
    let decorations = args.decorations(attr::doc_string(&func.attrs));
    let cfgs = attr::cfgs(&func.attrs);
    let dyn_impl = args
        .types
        .as_ref()
        .map(|(_, types)| dyn_impl(&m, &type_string(&manager), types));
    quote! {
        #func

        #cfgs
        const _: () = {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code, unreachable_pub)]
            pub struct #marker {}

            #decl

            fn __larder_build() -> ::larder::ResourceDefinition {
                ::larder::__private::manager_definition::<#m>(
                    ::larder::ResourceKind::IOManager,
                    |#ctx_var: &mut ::larder::InitContext| -> ::larder::Result<#m> { #call },
                    ::larder::__private::dyn_support!(#m),
                    ::larder::__private::lifecycle!(#m),
                )
                #decorations
            }

            #dyn_impl
        };
    }
}
